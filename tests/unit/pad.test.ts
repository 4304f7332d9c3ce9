/**
 * Pad rules that need no server: the document layout helpers, notes as
 * Markdown, the update inspection against crafted updates (yjs issue 687),
 * the writer's keep-in-memory-and-retry behaviour when saving fails, and
 * the SQLite update table's migration (the journal: pad-journal.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import pino from 'pino';
import {
	actionsOf,
	addCarried,
	carriedOf,
	insertAction,
	moveItem,
	newAction,
	notesMarkdown,
	notesOf,
	openActionsToCarry,
	parsePadName,
	padName,
	readActions,
	readCarriedActions,
	readPadStates,
	updateItem
} from '../../shared/pad/index.ts';
import { inspectUpdate } from '../../server/pad/update-check.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { PadJournal, createSqlitePadStore, storedDoc, type StoredUpdate } from '../../server/pad/store/index.ts';
import type { Database } from '../../server/store/index.ts';
import { openStore, type Store } from '../../server/store/index.ts';

/** A fresh SQLite store in a temporary folder (`prepare` may fill the folder first), removed afterwards. */
async function withSqliteStore(test: (store: Store) => Promise<void>, prepare?: (dir: string) => Promise<void>): Promise<void> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-pad-unit-'));
	try {
		await prepare?.(dir);
		const store = await openStore({ dataDir: dir });
		try {
			await test(store);
		} finally {
			await store.close();
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

const bounds = { maxStructsPerUpdate: 1000, maxClock: 2 ** 30 };

it('names documents per session and kind, and rejects anything else', () => {
	expect(parsePadName(padName('abcdefghij234567', 'private'))).toEqual({ sessionId: 'abcdefghij234567', kind: 'private' });
	for (const bad of ['session.abc.shared', 'session.abcdefghij234567.other', '../etc', 'session.ABCDEFGHIJ.shared', '']) expect(parsePadName(bad)).toBeNull();
});

it('moves an action keeping its fields, and records who changed a status', () => {
	const doc = new Y.Doc();
	const a = newAction('u1', { text: 'Ask for feedback', owner: 'coachee', ownerUserId: 'u2', due: '2026-12-01' });
	insertAction(doc, a);
	insertAction(doc, newAction('u1', { text: 'Second' }));
	moveItem(doc, actionsOf(doc), 0, 1);
	expect(readActions(doc).map((x) => x.text)).toEqual(['Second', 'Ask for feedback']);
	expect(readActions(doc)[1]).toMatchObject({ id: a.id, owner: 'coachee', ownerUserId: 'u2', due: '2026-12-01', status: 'open' });
	updateItem(doc, actionsOf(doc), a.id, { status: 'done' }, 'u2');
	expect(readActions(doc)[1]).toMatchObject({ status: 'done', statusChangedBy: 'u2' });
});

it('carries open actions (own and still-open carried ones) once, with their origin session', () => {
	const s1 = new Y.Doc();
	insertAction(s1, newAction('c', { text: 'open one' }));
	const done = newAction('c', { text: 'done one' });
	insertAction(s1, done);
	updateItem(s1, actionsOf(s1), done.id, { status: 'done' }, 'c');
	const s2 = new Y.Doc();
	expect(addCarried(s2, openActionsToCarry(s1, 'sess1', 1))).toBe(1);
	expect(addCarried(s2, openActionsToCarry(s1, 'sess1', 1))).toBe(0);
	expect(readCarriedActions(s2)).toMatchObject([{ text: 'open one', fromSessionId: 'sess1', fromSessionNumber: 1, status: 'open' }]);
	// Session 3 sees it again only while session 2 left it open.
	const s3 = new Y.Doc();
	updateItem(s2, carriedOf(s2), readCarriedActions(s2)[0]!.id, { status: 'dropped' }, 'c');
	expect(openActionsToCarry(s2, 'sess2', 2)).toEqual([]);
	expect(addCarried(s3, openActionsToCarry(s2, 'sess2', 2))).toBe(0);
});

it('takes an update made between sessions into a pad opened before it, unless the session decided after it', () => {
	const s1 = new Y.Doc();
	const a = newAction('c', { text: 'Draft the memo', owner: 'coachee' });
	const b = newAction('c', { text: 'Ask two peers' });
	insertAction(s1, a);
	insertAction(s1, b);
	const early = new Y.Doc(); // session 2's pad, opened early: both come in open
	expect(addCarried(early, openActionsToCarry(s1, 'sess1', 1))).toBe(2);
	const at = Date.now() + 60_000;
	const between = (id: string, t: number, comment: string) => ({ id, status: 'done' as const, statusChangedBy: 'u2', statusChangedAt: t, betweenComment: comment, betweenBy: 'u2', betweenAt: t });
	const withUpdates = (updates: ReturnType<typeof between>[]) => openActionsToCarry(s1, 'sess1', 1).map((x) => ({ ...x, ...updates.find((u) => u.id === x.id) }));
	// The owner updates "Draft the memo" afterwards: the open pad takes it (nothing added, one refreshed).
	expect(addCarried(early, withUpdates([between(a.id, at, 'Sent on Monday')]))).toBe(0);
	expect(readCarriedActions(early).find((x) => x.id === a.id)).toMatchObject({ status: 'done', betweenComment: 'Sent on Monday', betweenAt: at });
	// The same update again changes nothing; a later one replaces it.
	const before = Y.encodeStateVector(early);
	addCarried(early, withUpdates([between(a.id, at, 'Sent on Monday')]));
	expect(Y.encodeStateVector(early)).toEqual(before);
	addCarried(early, withUpdates([between(a.id, at + 1000, 'HR replied')]));
	expect(readCarriedActions(early).find((x) => x.id === a.id)?.betweenComment).toBe('HR replied');
	// The session changed "Ask two peers" itself after the owner's older update: the session's word stands.
	updateItem(early, carriedOf(early), b.id, { status: 'dropped' }, 'c');
	addCarried(early, withUpdates([between(b.id, at - 120_000, 'Asked one')]));
	expect(readCarriedActions(early).find((x) => x.id === b.id)).toMatchObject({ status: 'dropped' });
	expect(readCarriedActions(early).find((x) => x.id === b.id)?.betweenComment ?? null).toBeNull();
});

it('reads notes as Markdown: headings, lists, bold, links', () => {
	const doc = new Y.Doc();
	const h = new Y.XmlElement('heading');
	h.setAttribute('level', '2' as never);
	h.insert(0, [new Y.XmlText('Goals')]);
	const p = new Y.XmlElement('paragraph');
	const t = new Y.XmlText();
	p.insert(0, [t]);
	const list = new Y.XmlElement('bulletList');
	const li = new Y.XmlElement('listItem');
	const lp = new Y.XmlElement('paragraph');
	lp.insert(0, [new Y.XmlText('speak first')]);
	li.insert(0, [lp]);
	list.insert(0, [li]);
	notesOf(doc).insert(0, [h, p, list]);
	t.insert(0, 'Read ');
	t.insert(5, 'this', { bold: {} });
	t.insert(9, ' and ', {});
	t.insert(14, 'that', { link: { href: 'https://example.org' } });
	expect(notesMarkdown(notesOf(doc))).toBe('## Goals\nRead **this** and [that](https://example.org)\n- speak first');
	const content = readPadStates({ shared: Y.encodeStateAsUpdate(doc), private: null });
	expect(content.notesText).toBe('Goals\nRead this and that\n- speak first');
	expect(content.privateNotesText).toBe('');
});

it('refuses crafted updates before they are applied, and accepts real ones', () => {
	const hugeCount = new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0x0f, 7, 0, 0]);
	const hugeClock = new Uint8Array([1, 1, 5, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
	const started = performance.now();
	expect(inspectUpdate(hugeCount, bounds)).toMatchObject({ ok: false, malformed: true });
	expect(inspectUpdate(hugeClock, bounds)).toMatchObject({ ok: false, malformed: false });
	expect(inspectUpdate(new Uint8Array([0, 2, 50]), bounds).ok).toBe(false);
	expect(performance.now() - started).toBeLessThan(100);
	const doc = new Y.Doc();
	insertAction(doc, newAction('c', { text: 'x'.repeat(100) }));
	expect(inspectUpdate(Y.encodeStateAsUpdate(doc), bounds)).toMatchObject({ ok: true });
	const many = new Y.Doc();
	const text = many.getText('t');
	for (let i = 0; i < 1500; i++) many.transact(() => text.insert(0, 'a', i % 2 ? { bold: true } : {}));
	expect(inspectUpdate(Y.encodeStateAsUpdate(many), bounds)).toMatchObject({ ok: false, malformed: false });
});

it('keeps updates in memory when saving fails, reports it, retries, and resolves only once stored', async () => {
	let failuresLeft = 3;
	const stored: StoredUpdate[] = [];
	const target = {
		async append(rows: StoredUpdate[]) {
			if (failuresLeft-- > 0) throw new Error('disk full');
			stored.push(...rows);
		}
	};
	const writer = new UpdateWriter(target, pino({ level: 'silent' }), { minMs: 10, maxMs: 40 });
	const events: string[] = [];
	writer.on('failing', (docs) => events.push(`failing ${[...docs].join(',')}`));
	writer.on('recovered', (docs) => events.push(`recovered ${[...docs].join(',')}`));
	let done = 0;
	const writes = [writer.append('a', 1, new Uint8Array([1])), writer.append('b', 1, new Uint8Array([2]))].map((p) => p.then(() => done++));
	await new Promise((r) => setTimeout(r, 15));
	expect(done).toBe(0);
	expect(writer.failing).toBe(true);
	await Promise.all(writes);
	expect(stored.map((r) => `${r.doc}${r.seq}`)).toEqual(['a1', 'b1']);
	expect(events).toEqual(['failing a,b', 'recovered a,b']);
	expect(writer.failing).toBe(false);
	await writer.drain();
});

it('stores an update at once when the target can and nothing is queued; otherwise it queues, keeping the order', async () => {
	const stored: string[] = [];
	let failNow = false;
	const target = {
		appendNow(rows: StoredUpdate[]) {
			if (failNow) throw new Error('disk full');
			stored.push(...rows.map((r) => `now ${r.doc}${r.seq}`));
		},
		async append(rows: StoredUpdate[]) {
			stored.push(...rows.map((r) => `later ${r.doc}${r.seq}`));
		}
	};
	const writer = new UpdateWriter(target, pino({ level: 'silent' }), { minMs: 10, maxMs: 40 });
	expect(writer.storeNow('a', 1, new Uint8Array([1]))).toBe(true);
	expect(stored).toEqual(['now a1']);
	failNow = true;
	expect(writer.storeNow('a', 2, new Uint8Array([2]))).toBe(false);
	const second = writer.append('a', 2, new Uint8Array([2]));
	failNow = false;
	// Behind the queued one, to keep the order.
	expect(writer.storeNow('a', 3, new Uint8Array([3]))).toBe(false);
	await Promise.all([second, writer.append('a', 3, new Uint8Array([3]))]);
	expect(stored).toEqual(['now a1', 'later a2', 'later a3']);
	expect(writer.storeNow('a', 4, new Uint8Array([4]))).toBe(true);
	await writer.drain();
});

it('a document whose saves fail keeps the update unbroadcast, turns read-only for its clients, and pulls refused edits back once saving works', async () => {
	const { PadDocument, SAVING_FAILED } = await import('../../server/pad/document.ts');
	const { SERVER_STATE_KEY, insertAction: add } = await import('../../shared/pad/index.ts');
	const target = {
		down: true,
		rows: [] as StoredUpdate[],
		async append(rows: StoredUpdate[]) {
			if (this.down) throw new Error('database unavailable');
			this.rows.push(...rows);
		}
	};
	const log = pino({ level: 'silent' });
	const writer = new UpdateWriter(target, log, { minMs: 10, maxMs: 20 });
	const storage = { compact: async () => {} } as never;
	const pad = new PadDocument('session.abcdefghij234567.shared', { snapshot: null, updates: [], seq: 0, bytes: 0 }, { writer, storage, log });
	writer.on('failing', () => pad.setSavingProblem(SAVING_FAILED));
	writer.on('recovered', () => pad.setSavingProblem(null));
	const peer = (id: string) => ({ id, sent: [] as Uint8Array[], send(m: Uint8Array) { this.sent.push(m); }, close() {} });
	const [a, b] = [peer('a'), peer('b')];
	pad.addPeer(a);
	pad.addPeer(b);
	const kinds = (p: { sent: Uint8Array[] }) => p.sent.map((m) => (m[0] === 0 ? ['step1', 'step2', 'update'][m[1]!] : 'awareness'));
	const client = new Y.Doc();
	const updates: Uint8Array[] = [];
	client.on('update', (u: Uint8Array) => updates.push(u));
	add(client, newAction('a', { text: 'first' }));
	pad.receiveUpdate(updates[0]!, a);
	await new Promise((r) => setTimeout(r, 30));
	expect(pad.readOnly).toEqual({ readOnly: true, reason: SAVING_FAILED });
	expect(kinds(b)).not.toContain('update');
	expect(kinds(b)).toContain('awareness');
	expect((pad.awareness.getLocalState() as Record<string, unknown>)[SERVER_STATE_KEY]).toMatchObject({ readOnly: true });
	// Refused while read-only: the client keeps it.
	add(client, newAction('a', { text: 'second' }));
	pad.receiveUpdate(updates[1]!, a);
	expect(readActions(pad.doc).map((x) => x.text)).toEqual(['first']);
	target.down = false;
	await writer.drain();
	await new Promise((r) => setTimeout(r, 10));
	expect(target.rows).toHaveLength(1);
	expect(pad.readOnly).toBeNull();
	expect(kinds(b)).toContain('update');
	// Both are asked for what the server lacks (sync step 1 again).
	expect(kinds(a).filter((k) => k === 'step1')).toHaveLength(2);
	pad.destroy();
});

it('on SQLite, migrating an existing store to the clustered update table keeps every stored update', async () => {
	const { Kysely, SqliteDialect } = await import('kysely');
	const { openSqlite } = await import('../../server/store/sqlite-driver.ts');
	const { migrate } = await import('../../server/store/migrate.ts');
	const { migrations } = await import('../../server/store/migrations/index.ts');
	const name = 'session.abcdefghij234567.shared';
	// A store as it was before the migration, holding three updates.
	const storeAtPadMigration = async (dir: string) => {
		const before = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path.join(dir, 'confidante.sqlite')) }) });
		await migrate(before, { kind: 'sqlite', time: 'integer', bytes: 'blob' }, migrations.slice(0, migrations.findIndex((m) => m.name === '0004_pad') + 1));
		await before.insertInto('pad_updates').values([1, 2, 3].map((seq) => ({ doc: name, seq, data: Buffer.from([seq, 0]), created_at: seq }))).execute();
		await before.destroy();
	};
	await withSqliteStore(async (store) => {
		const table = store.sqlite!.prepare("SELECT sql FROM sqlite_master WHERE name = 'pad_updates'").get() as { sql: string };
		expect(table.sql).toMatch(/WITHOUT ROWID/);
		const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-pad-journal-'));
		const padStore = createSqlitePadStore(store.sqlite!, new PadJournal(journalDir, { segmentBytes: 1024 * 1024, syncMs: 60_000 }, pino({ level: 'silent' })));
		await padStore.recover();
		const stored = await padStore.load(name);
		await padStore.close();
		fs.rmSync(journalDir, { recursive: true, force: true });
		expect(stored.seq).toBe(3);
		expect(stored.updates.map((u) => [...u])).toEqual([[1, 0], [2, 0], [3, 0]]);
	}, storeAtPadMigration);
});

it("relays a peer's update as the bytes it sent; an update that waited for a missing piece is stored and relayed with it", async () => {
	const { PadDocument, syncMessage } = await import('../../server/pad/document.ts');
	const syncProtocol = await import('y-protocols/sync');
	const decoding = await import('lib0/decoding');
	const target = { rows: [] as StoredUpdate[], async append(rows: StoredUpdate[]) { this.rows.push(...rows); }, appendNow(rows: StoredUpdate[]) { this.rows.push(...rows); } };
	const log = pino({ level: 'silent' });
	const writer = new UpdateWriter(target, log, { minMs: 10, maxMs: 20 });
	const pad = new PadDocument('session.abcdefghij234567.shared', { snapshot: null, updates: [], seq: 0, bytes: 0 }, { writer, storage: { compact: async () => {}, load: async () => storedDoc(undefined, target.rows) }, log });
	const peer = (id: string) => ({ id, sent: [] as Uint8Array[], send(m: Uint8Array) { this.sent.push(m); }, close() {} });
	const [a, b] = [peer('a'), peer('b')];
	pad.addPeer(a);
	pad.addPeer(b);
	b.sent.length = 0;
	const client = new Y.Doc();
	const updates: Uint8Array[] = [];
	client.on('update', (u: Uint8Array) => updates.push(u));
	for (const text of ['one', 'two', 'three']) insertAction(client, newAction('a', { text }));
	// In order: relayed byte for byte, stored as sent.
	const frame = syncMessage((e) => syncProtocol.writeUpdate(e, updates[0]!));
	const decoder = decoding.createDecoder(frame);
	decoding.readVarUint(decoder);
	pad.handleSync(decoder, a);
	expect(b.sent).toEqual([frame]);
	expect(target.rows.map((r) => [...r.data])).toEqual([[...updates[0]!]]);
	// The third before the second: it waits (nothing stored or relayed), then goes out with the second.
	pad.receiveUpdate(updates[2]!, a);
	expect(b.sent).toHaveLength(1);
	expect(target.rows).toHaveLength(1);
	pad.receiveUpdate(updates[1]!, a);
	expect(b.sent).toHaveLength(2);
	expect(target.rows).toHaveLength(2);
	const fromStore = new Y.Doc();
	for (const r of target.rows) Y.applyUpdate(fromStore, r.data);
	const atB = new Y.Doc();
	for (const m of b.sent) {
		const d = decoding.createDecoder(m);
		decoding.readVarUint(d);
		syncProtocol.readSyncMessage(d, (await import('lib0/encoding')).createEncoder(), atB, null);
	}
	for (const doc of [pad.doc, fromStore, atB]) expect(readActions(doc).map((x) => x.text)).toEqual(['one', 'two', 'three']);
	pad.destroy();
});
