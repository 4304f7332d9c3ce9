/**
 * The pad's journal on SQLite (server/pad/store/journal.ts) and the pad store
 * around it: what a crash leaves in the journal reaches the store at the
 * next start, records cut short are ignored, segments go once snapshots
 * cover them, a failed write leaves nothing unreadable behind, and a second
 * process cannot take a live process's journal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import pino from 'pino';
import { insertAction, newAction, readActions } from '../../shared/pad/index.ts';
import { PadJournal, decodeRecords, encodeRecord, processIdentity } from '../../server/pad/store/journal.ts';
import { createSqlitePadStore, type PadStore, type StoredUpdate } from '../../server/pad/store/index.ts';
import { openStore, type Store } from '../../server/store/index.ts';

const quiet = pino({ level: 'silent' });
const NAME = 'session.abcdefghij234567.shared';
const options = { segmentBytes: 1024 * 1024, syncMs: 60_000 };
const journals: PadJournal[] = [];
const dirs: string[] = [];

afterEach(() => {
	for (const j of journals.splice(0)) j.close();
	for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
	vi.restoreAllMocks();
});

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-journal-'));
	dirs.push(dir);
	return dir;
}

function openJournal(dir: string, opts = options): PadJournal {
	const journal = new PadJournal(dir, opts, quiet);
	journals.push(journal);
	return journal;
}

/** A journal over a store's folder, as createPad opens it, crash leftovers recovered. */
async function openLog(store: Store, dir: string, opts = options): Promise<{ log: PadStore; journal: PadJournal; recovered: number }> {
	const journal = openJournal(path.join(dir, 'pad-journal'), opts);
	const log = createSqlitePadStore(store.sqlite!, journal);
	return { log, journal, recovered: await log.recover() };
}

async function withStore(test: (store: Store, dir: string) => Promise<void>): Promise<void> {
	const dir = tempDir();
	const store = await openStore({ dataDir: dir });
	try {
		await test(store, dir);
	} finally {
		await store.close();
	}
}

const files = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
const update = (seq: number, doc = NAME): StoredUpdate => ({ doc, seq, data: new Uint8Array([seq % 256, 1, 2, 3]) });

/** Five real updates of one document, each adding an action. */
function fiveActions(): Uint8Array[] {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	for (let i = 0; i < 5; i++) insertAction(doc, newAction('c', { text: `a${i}` }));
	return updates;
}

it('reads records back up to the first one cut short or damaged', () => {
	const a = Buffer.from(encodeRecord([update(1), update(2, 'other')]));
	const b = Buffer.from(encodeRecord([update(3, 'ünïcödé name')]));
	const whole = Buffer.concat([a, b]);
	expect(decodeRecords(whole).updates.map((u) => `${u.doc}:${u.seq}`)).toEqual([`${NAME}:1`, 'other:2', 'ünïcödé name:3']);
	const cut = whole.subarray(0, whole.length - 2);
	expect(decodeRecords(cut)).toMatchObject({ validBytes: a.length });
	const damaged = Buffer.from(whole);
	damaged[a.length + 10]! ^= 0xff;
	expect(decodeRecords(damaged).updates.map((u) => u.seq)).toEqual([1, 2]);
});

it('after a crash, the next start stores what the journal holds (not what snapshots cover), then deletes it', () =>
	withStore(async (store, dir) => {
		const updates = fiveActions();
		const first = await openLog(store, dir);
		await first.log.append(updates.slice(0, 3).map((data, i) => ({ doc: NAME, seq: i + 1, data })));
		await first.log.append(updates.slice(0, 3).map((data, i) => ({ doc: NAME, seq: i + 1, data }))); // a retried batch is harmless
		const partial = new Y.Doc();
		Y.applyUpdate(partial, Y.mergeUpdates(updates.slice(0, 3)));
		await first.log.compact(NAME, Y.encodeStateAsUpdate(partial), 3);
		await first.log.append(updates.slice(3).map((data, i) => ({ doc: NAME, seq: i + 4, data })));
		// The process dies here; the next one opens the same folder.
		journals.splice(journals.indexOf(first.journal), 1);
		const journalDir = path.join(dir, 'pad-journal');
		const leftovers = files(journalDir).map((f) => [f, fs.readFileSync(path.join(journalDir, f))] as const);
		expect(leftovers.length).toBeGreaterThan(0);
		const next = await openLog(store, dir);
		expect(next.recovered).toBe(8); // all read (the retried batch twice); the three the snapshot covers are skipped
		expect(files(journalDir)).toEqual([]);
		const storage = next.log;
		const stored = await storage.load(NAME);
		expect(stored.seq).toBe(5);
		expect(stored.updates).toHaveLength(2);
		const loaded = new Y.Doc();
		for (const u of [stored.snapshot!, ...stored.updates]) Y.applyUpdate(loaded, u);
		expect(readActions(loaded).map((a) => a.text)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
		// A crash during recovery replays the same segments: nothing changes.
		next.journal.close();
		journals.splice(journals.indexOf(next.journal), 1);
		for (const [f, bytes] of leftovers) fs.writeFileSync(path.join(journalDir, f), bytes);
		const again = await openLog(store, dir);
		expect(await again.log.load(NAME)).toEqual(stored);
	}));

it('deletes a segment once snapshots cover every document in it, and starts new ones at the size limit', () => {
	const dir = tempDir();
	const journal = openJournal(dir, { segmentBytes: 200, syncMs: 60_000 });
	journal.append([update(1, 'a'), update(1, 'b')]);
	expect(journal.segments).toBe(1);
	journal.covered('a', 1);
	expect(journal.segments).toBe(1); // b is not covered yet
	journal.covered('b', 1);
	expect(journal.segments).toBe(0); // nothing left worth keeping
	for (let seq = 2; seq < 40; seq++) journal.append([update(seq, 'a')]);
	expect(journal.segments).toBeGreaterThan(2);
	journal.covered('a', 20);
	const afterHalf = journal.segments;
	expect(afterHalf).toBeGreaterThan(0);
	journal.covered('a', 39);
	expect(journal.segments).toBe(0);
});

it('a write that fails part-way leaves the journal readable: later records go to a new segment', async () => {
	const dir = tempDir();
	const journal = openJournal(dir);
	journal.append([update(1)]);
	const realWrite = fs.writeSync;
	const spy = vi.spyOn(fs, 'writeSync').mockImplementationOnce(((fd: number, buffer: Uint8Array) => {
		realWrite(fd, buffer.subarray(0, 5));
		throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
	}) as unknown as typeof fs.writeSync);
	expect(() => journal.append([update(2)])).toThrow(/ENOSPC/);
	spy.mockRestore();
	journal.append([update(2)]);
	journal.append([update(3)]);
	expect(files(dir)).toHaveLength(2);
	journals.splice(journals.indexOf(journal), 1);
	const recovered: StoredUpdate[] = [];
	openJournal(dir).recover((u) => recovered.push(...u));
	expect(recovered.map((u) => u.seq)).toEqual([1, 2, 3]);
});

it('refuses a folder a live process is using, and takes over one whose process is gone', () => {
	const dir = tempDir();
	fs.writeFileSync(path.join(dir, 'owner.pid'), processIdentity(process.ppid)!);
	expect(() => new PadJournal(dir, options, quiet)).toThrow(/Another Confidante process .* DATA_DIR/);
	// Same pid, different start time: the pid was reused by some other process.
	fs.writeFileSync(path.join(dir, 'owner.pid'), `${process.ppid} 1`);
	expect(() => openJournal(dir)).not.toThrow();
});

it('compaction waits for a store transaction to end instead of joining it (a rollback there does not lose the snapshot)', () =>
	withStore(async (store, dir) => {
		const { log } = await openLog(store, dir);
		let compacted: Promise<void> | undefined;
		let storedDuring = -1;
		await store.db
			.transaction()
			.execute(async (trx) => {
				await trx.insertInto('pad_snapshots').values({ doc: 'other', seq: 1, data: Buffer.from([0, 0]), updated_at: 0 }).execute();
				compacted = log.compact(NAME, new Uint8Array([0, 0]), 1);
				await new Promise((r) => setTimeout(r, 20));
				storedDuring = (await trx.selectFrom('pad_snapshots').select('doc').where('doc', '=', NAME).execute()).length;
				throw new Error('roll back');
			})
			.catch(() => {});
		await compacted;
		expect(storedDuring).toBe(0);
		expect((await log.load(NAME)).seq).toBe(1);
		expect(await log.exists('other')).toBe(false);
	}));
