/**
 * One contract, every pad store: the same cases run against the SQLite
 * store (journal plus snapshots) and the PostgreSQL one (a fresh schema),
 * so the several-instances work can build on either. A "crash" abandons the
 * store without closing it and opens the same data anew, as the next
 * process would. Faults come from the failpoints (server/failpoints).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { armFailpoints, disarmFailpoints, FailpointError } from '../../server/failpoints/index.ts';
import { createPostgresPadStore, createSqlitePadStore, PadJournal, type PadStore, type StoredUpdate } from '../../server/pad/store/index.ts';
import { encodeRecord } from '../../server/pad/store/journal.ts';
import { openStore, type Store } from '../../server/store/index.ts';
import { freshPostgresSchema } from '../helpers/server.ts';

const quiet = pino({ level: 'silent' });
const journalOptions = { segmentBytes: 1024 * 1024, syncMs: 60_000 };

interface Harness {
	store: PadStore;
	/** The process dies (nothing flushed or closed) and the next one opens the same data, recovered. */
	crash(): Promise<PadStore>;
	/** The SQLite journal's folder (null on PostgreSQL). */
	journalDir: string | null;
	dispose(): Promise<void>;
}

/** `open` opens the data as a new process would; `cleanup` removes it. */
async function harness(open: () => Promise<{ store: PadStore; db: Store }>, journalDir: string | null, cleanup: () => Promise<void>): Promise<Harness> {
	const start = async () => {
		const opened = await open();
		try {
			await opened.store.recover();
		} catch (err) {
			await opened.db.close();
			throw err;
		}
		return opened;
	};
	let current = await start();
	const h: Harness = {
		store: current.store,
		journalDir,
		async crash() {
			// The database's committed transactions survive a kill; the journal is left as it was.
			await current.db.close();
			current = await start();
			h.store = current.store;
			return h.store;
		},
		async dispose() {
			await h.store.close();
			await current.db.close();
			await cleanup();
		}
	};
	return h;
}

async function sqliteHarness(): Promise<Harness> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-pad-store-'));
	const journalDir = path.join(dir, 'pad-journal');
	const open = async () => {
		const db = await openStore({ dataDir: dir });
		return { store: createSqlitePadStore(db.sqlite!, new PadJournal(journalDir, journalOptions, quiet)), db };
	};
	return harness(open, journalDir, async () => fs.rmSync(dir, { recursive: true, force: true }));
}

async function postgresHarness(): Promise<Harness> {
	const schema = await freshPostgresSchema();
	const open = async () => {
		const db = await openStore({ dataDir: os.tmpdir(), databaseUrl: schema.url });
		return { store: createPostgresPadStore(db.db), db };
	};
	return harness(open, null, schema.drop);
}

const DOC = 'session.abcdefghij234567.shared';
const bytes = (seq: number, salt = 0) => new Uint8Array([seq & 0xff, seq >> 8, salt, 7]);
const rows = (doc: string, seqs: number[], salt = 0): StoredUpdate[] => seqs.map((seq) => ({ doc, seq, data: bytes(seq, salt) }));
const list = (u: Uint8Array[]) => u.map((x) => [...x]);

const harnesses: Harness[] = [];
afterEach(async () => {
	disarmFailpoints();
	for (const h of harnesses.splice(0)) await h.dispose();
});

describe.each([
	['SQLite (journal + snapshots)', sqliteHarness],
	['PostgreSQL', postgresHarness]
] as const)('pad store contract on %s', (_name, open) => {
	const fresh = async () => {
		const h = await open();
		harnesses.push(h);
		return h;
	};

	it('a new document is empty; appended updates load back in seq order, byte for byte', async () => {
		const { store } = await fresh();
		expect(await store.load(DOC)).toEqual({ snapshot: null, updates: [], seq: 0, bytes: 0 });
		expect(await store.exists(DOC)).toBe(false);
		await store.append(rows(DOC, [1, 2]));
		await store.append(rows(DOC, [3]));
		const loaded = await store.load(DOC);
		expect(list(loaded.updates)).toEqual([1, 2, 3].map((s) => [...bytes(s)]));
		expect(loaded).toMatchObject({ snapshot: null, seq: 3, bytes: 12 });
		expect(await store.exists(DOC)).toBe(true);
	});

	it('retried appends are idempotent on (doc, seq): nothing twice, the first bytes kept, also after a crash', async () => {
		const h = await fresh();
		await h.store.append(rows(DOC, [1, 2, 3]));
		// The writer retries a batch whose write had in fact gone through, partly overlapping later work.
		await h.store.append([...rows(DOC, [2, 3], 9), ...rows(DOC, [4]), ...rows(DOC, [4], 9)]);
		h.store.appendNow?.(rows(DOC, [4, 5], 9));
		const expected = [...[1, 2, 3, 4].map((s) => [...bytes(s)]), ...(h.store.appendNow ? [[...bytes(5, 9)]] : [])];
		expect(list((await h.store.load(DOC)).updates)).toEqual(expected);
		const after = await h.crash();
		expect(list((await after.load(DOC)).updates)).toEqual(expected);
	});

	it('compaction replaces the snapshot and drops exactly the updates it folds', async () => {
		const { store } = await fresh();
		await store.append(rows(DOC, [1, 2, 3, 4, 5]));
		const state = new Uint8Array([42, 42]);
		await store.compact(DOC, state, 3);
		await store.append(rows(DOC, [6]));
		let loaded = await store.load(DOC);
		expect([...loaded.snapshot!]).toEqual([42, 42]);
		expect(list(loaded.updates)).toEqual([4, 5, 6].map((s) => [...bytes(s)]));
		expect(loaded).toMatchObject({ seq: 6, bytes: 2 + 12 });
		await store.compact(DOC, new Uint8Array([43]), 6);
		loaded = await store.load(DOC);
		expect(loaded).toMatchObject({ updates: [], seq: 6, bytes: 1 });
		expect([...loaded.snapshot!]).toEqual([43]);
	});

	it('compaction is atomic: one that fails halfway leaves what loads unchanged, before and after a crash', async () => {
		const h = await fresh();
		await h.store.append(rows(DOC, [1, 2, 3]));
		await h.store.compact(DOC, new Uint8Array([1]), 1);
		await h.store.append(rows(DOC, [4]));
		const before = await h.store.load(DOC);
		armFailpoints('pad.store.compact=throw*1');
		await expect(h.store.compact(DOC, new Uint8Array([9, 9]), 4)).rejects.toBeInstanceOf(FailpointError);
		expect(await h.store.load(DOC)).toEqual(before);
		expect(await (await h.crash()).load(DOC)).toEqual(before);
		// The point fired once: the next compaction goes through.
		await h.store.compact(DOC, new Uint8Array([9, 9]), 4);
		expect(await h.store.load(DOC)).toMatchObject({ updates: [], seq: 4, bytes: 2 });
	});

	it('an append that fails stores nothing and its retry stores it once', async () => {
		const { store } = await fresh();
		await store.append(rows(DOC, [1]));
		armFailpoints('pad.store.append=throw*1');
		await expect(store.append(rows(DOC, [2, 3]))).rejects.toBeInstanceOf(FailpointError);
		expect((await store.load(DOC)).seq).toBe(1);
		await store.append(rows(DOC, [2, 3]));
		expect((await store.load(DOC)).seq).toBe(3);
	});

	it('after a crash everything stored loads again, and recovering twice changes nothing', async () => {
		const h = await fresh();
		await h.store.append(rows(DOC, [1, 2, 3]));
		await h.store.compact(DOC, new Uint8Array([5]), 2);
		await h.store.append(rows(DOC, [4, 5]));
		h.store.appendNow?.(rows(DOC, [6]));
		const before = await h.store.load(DOC);
		const once = await (await h.crash()).load(DOC);
		expect(once).toEqual(before);
		expect(await (await h.crash()).load(DOC)).toEqual(before);
		// The next process goes on from there.
		await h.store.append(rows(DOC, [before.seq + 1]));
		expect((await h.store.load(DOC)).seq).toBe(before.seq + 1);
	});

	it('two documents never mix, whatever their names share, through appends, compaction and a crash', async () => {
		const h = await fresh();
		const names = ['a', 'a.b', 'ab', 'A', 'ünï'];
		await h.store.append(names.flatMap((n, i) => rows(n, [1, 2, 3], i)));
		await h.store.compact('a', new Uint8Array([100]), 3);
		await h.store.append(rows('ab', [4], 2));
		const check = async (store: PadStore) => {
			expect(await store.load('a')).toMatchObject({ updates: [], seq: 3 });
			expect(await store.exists('a.')).toBe(false);
			for (const [i, n] of names.entries()) {
				if (n === 'a') continue;
				const seqs = n === 'ab' ? [1, 2, 3, 4] : [1, 2, 3];
				expect(list((await store.load(n)).updates), n).toEqual(seqs.map((s) => [...bytes(s, i)]));
			}
		};
		await check(h.store);
		await check(await h.crash());
	});

	it('erasing documents removes every stored byte of them (journal files too) and leaves the others, also after a crash', async () => {
		const h = await fresh();
		const secret = (seq: number) => ({ doc: DOC, seq, data: new TextEncoder().encode(`erase-me-${seq}`) });
		await h.store.append([secret(1), ...rows('other', [1, 2])]);
		await h.store.compact(DOC, new TextEncoder().encode('erase-me-snapshot'), 1);
		await h.store.append([secret(2), ...rows('other', [3])]);
		await h.store.erase([DOC]);
		const check = async (store: PadStore) => {
			expect(await store.load(DOC)).toEqual({ snapshot: null, updates: [], seq: 0, bytes: 0 });
			expect(await store.exists(DOC)).toBe(false);
			expect(list((await store.load('other')).updates)).toEqual([1, 2, 3].map((s) => [...bytes(s)]));
		};
		await check(h.store);
		if (h.journalDir) {
			const files = fs.readdirSync(h.journalDir).filter((f) => f.endsWith('.log'));
			for (const f of files) expect(fs.readFileSync(path.join(h.journalDir, f)).includes('erase-me'), f).toBe(false);
		}
		await check(await h.crash());
	});
});

describe('pad store on SQLite: the journal after a crash', () => {
	it('a torn record is not replayed; the records before it and the segments after it are', async () => {
		const h = await sqliteHarness();
		harnesses.push(h);
		await h.store.append(rows(DOC, [1]));
		await h.store.append(rows(DOC, [2]));
		await h.store.append(rows(DOC, [3]));
		const segments = fs.readdirSync(h.journalDir!).filter((f) => f.endsWith('.log')).sort();
		expect(segments).toHaveLength(1);
		const file = path.join(h.journalDir!, segments[0]!);
		// The process died while writing update 3: its record is cut short.
		fs.truncateSync(file, fs.statSync(file).size - 3);
		// A later segment (the writer moved on after a failed write and retried 3 there, then wrote 4).
		const next = path.join(h.journalDir!, `${String(Number(segments[0]!.slice(0, 12)) + 1).padStart(12, '0')}.log`);
		fs.writeFileSync(next, Buffer.concat([Buffer.from(encodeRecord(rows(DOC, [3], 1))), Buffer.from(encodeRecord(rows(DOC, [4])))]));
		const store = await h.crash();
		expect(list((await store.load(DOC)).updates)).toEqual([[...bytes(1)], [...bytes(2)], [...bytes(3, 1)], [...bytes(4)]]);
		expect(fs.readdirSync(h.journalDir!).filter((f) => f.endsWith('.log'))).toEqual([]);
	});

	it('a crash during recovery leaves the journal to be replayed whole at the next start', async () => {
		const h = await sqliteHarness();
		harnesses.push(h);
		await h.store.append(rows(DOC, [1, 2]));
		const before = await h.store.load(DOC);
		armFailpoints('pad.store.recover=throw*1');
		await expect(h.crash()).rejects.toBeInstanceOf(FailpointError);
		expect(fs.readdirSync(h.journalDir!).filter((f) => f.endsWith('.log'))).toHaveLength(1);
		expect(await (await h.crash()).load(DOC)).toEqual(before);
	});
});
