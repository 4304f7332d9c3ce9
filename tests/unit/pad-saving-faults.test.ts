/**
 * Saving faults against the real SQLite pad store, injected with the
 * `pad.store.append` failpoint: an update whose save fails is not relayed,
 * the document turns read-only, and once saving works it is stored once,
 * relayed, and the document takes edits again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import pino from 'pino';
import { armFailpoints, disarmFailpoints } from '../../server/failpoints/index.ts';
import { PadDocument, SAVING_FAILED } from '../../server/pad/document.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { createSqlitePadStore, PadJournal } from '../../server/pad/store/index.ts';
import { openStore } from '../../server/store/index.ts';
import { insertAction, newAction, readActions } from '../../shared/pad/index.ts';

const quiet = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	disarmFailpoints();
	for (const c of cleanups.splice(0)) await c();
});

it('a failed save keeps the update unrelayed and the pad read-only until the retry stores it, once', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-saving-faults-'));
	const db = await openStore({ dataDir: dir });
	const store = createSqlitePadStore(db.sqlite!, new PadJournal(path.join(dir, 'pad-journal'), { segmentBytes: 1024 * 1024, syncMs: 60_000 }, quiet));
	await store.recover();
	const writer = new UpdateWriter(store, quiet, { minMs: 20, maxMs: 40 });
	const name = 'session.abcdefghij234567.shared';
	const pad = new PadDocument(name, await store.load(name), { writer, storage: store, log: quiet });
	cleanups.push(async () => {
		pad.destroy();
		await store.close();
		await db.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});
	writer.on('failing', () => pad.setSavingProblem(SAVING_FAILED));
	writer.on('recovered', () => pad.setSavingProblem(null));
	const updatesTo = (sent: Uint8Array[]) => sent.filter((m) => m[0] === 0 && m[1] === 2).length;
	const peer = (id: string) => ({ id, sent: [] as Uint8Array[], send(m: Uint8Array) { this.sent.push(m); }, close() {} });
	const [a, b] = [peer('a'), peer('b')];
	pad.addPeer(a);
	pad.addPeer(b);
	const client = new Y.Doc();
	const updates: Uint8Array[] = [];
	client.on('update', (u: Uint8Array) => updates.push(u));
	insertAction(client, newAction('a', { text: 'first' }));

	// The immediate save and its first two retries fail.
	armFailpoints('pad.store.append=throw*3');
	pad.receiveUpdate(updates[0]!, a);
	await new Promise((r) => setTimeout(r, 30));
	expect(updatesTo(b.sent)).toBe(0);
	expect(pad.readOnly).toEqual({ readOnly: true, reason: SAVING_FAILED });
	expect((await store.load(name)).seq).toBe(0);

	await writer.drain();
	await new Promise((r) => setTimeout(r, 10));
	expect(updatesTo(b.sent)).toBe(1);
	expect(pad.readOnly).toBeNull();
	const stored = await store.load(name);
	expect(stored.seq).toBe(1);
	expect(stored.updates).toHaveLength(1);
	insertAction(client, newAction('a', { text: 'second' }));
	pad.receiveUpdate(updates[1]!, a);
	expect(readActions(pad.doc).map((x) => x.text)).toEqual(['first', 'second']);
	expect((await store.load(name)).seq).toBe(2);
});
