/**
 * The pad's guard against updates that are cheap to send and expensive to
 * apply (issue 19): they are refused before they touch the document, a
 * reconnect's full delete set is not, and an update found over the time
 * budget after applying is neither stored nor relayed and leaves the
 * document as it was. Times are this thread's CPU time: the event loop is
 * blocked exactly that long by the synchronous work, whatever else the
 * (shared, loaded) machine is doing.
 */
import { expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as Y from 'yjs';
import pino from 'pino';
import { PadDocument, type ApplyBudget, type PadPeer } from '../../server/pad/document.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { storedDoc, type StoredUpdate } from '../../server/pad/store/index.ts';
import { limits } from '../../server/config/index.ts';
import { craftUpdate, descendingDeletes, descendingInserts, longItem, type CraftedInsert } from '../helpers/hostile-updates.ts';

/**
 * The bound the issue asks for is /healthz within 50 ms (tests/integration/pad-hostile.test.ts).
 * Here the CPU time of one call is measured in a test process that shares 2 cores with the
 * rest of the suite, where the same work was seen at 53 ms; the unfixed code took seconds.
 */
const STALL_BOUND_MS = 100;

const cpuMs = () => {
	const u = process.threadCpuUsage();
	return (u.user + u.system) / 1000;
};

interface TestPeer extends PadPeer {
	sent: Uint8Array[];
	closes: number[];
}

function peer(id: string): TestPeer {
	return {
		id,
		userId: `user-${id}`,
		sent: [],
		closes: [],
		send(m) {
			this.sent.push(m);
		},
		close(code) {
			this.closes.push(code);
		}
	};
}

/** A live document on an in-memory store, with peers a (the sender) and b (a bystander). */
function livePad(stored: Uint8Array[] = [], budget?: ApplyBudget) {
	const rows: StoredUpdate[] = [];
	const target = {
		async append(r: StoredUpdate[]) {
			rows.push(...r);
		},
		appendNow(r: StoredUpdate[]) {
			rows.push(...r);
		}
	};
	const log = pino({ level: 'silent' });
	const writer = new UpdateWriter(target, log, { minMs: 10, maxMs: 20 });
	const bytes = stored.reduce((n, u) => n + u.length, 0);
	// The store holds what the document started from and every update it accepted since.
	const storage = { compact: async () => {}, load: async () => storedDoc(undefined, [...stored, ...rows.map((r) => r.data)].map((data, i) => ({ seq: i + 1, data }))) };
	const pad = new PadDocument('session.abcdefghij234567.shared', { snapshot: null, updates: stored, seq: stored.length, bytes }, { writer, storage, log, ...(budget ? { budget } : {}) });
	const [a, b] = [peer('a'), peer('b')];
	pad.addPeer(a);
	pad.addPeer(b);
	const updatesAt = (p: TestPeer) => p.sent.filter((m) => m[0] === 0 && m[1] === 2).length;
	return { pad, rows, a, b, updatesAt };
}

/** Sends `update` from `from` and returns the CPU time the call took. */
function timed(pad: PadDocument, update: Uint8Array, from: PadPeer): number {
	const started = cpuMs();
	pad.receiveUpdate(update, from);
	return cpuMs() - started;
}

const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');

it('refuses 80,000 one-character deletes in descending order over one long item before applying them', () => {
	const { pad, rows, a, b, updatesAt } = livePad([longItem(1, 160_010)]);
	const before = stateOf(pad.doc);
	const ms = timed(pad, descendingDeletes(1, 80_000), a);
	expect(a.closes).toEqual([4422]);
	expect(ms).toBeLessThan(STALL_BOUND_MS);
	expect(stateOf(pad.doc)).toBe(before);
	expect(pad.doc.getText('t').length).toBe(160_010);
	expect(rows).toEqual([]);
	expect(updatesAt(b)).toBe(0);
	pad.destroy();
}, 60_000);

it('refuses 12,000 one-character inserts in descending order into one long item before applying them', () => {
	const { pad, rows, a, b, updatesAt } = livePad([longItem(1, 24_010)]);
	const before = stateOf(pad.doc);
	const ms = timed(pad, descendingInserts(1, 2, 12_000), a);
	expect(a.closes).toEqual([4422]);
	expect(ms).toBeLessThan(STALL_BOUND_MS);
	expect(stateOf(pad.doc)).toBe(before);
	expect(rows).toEqual([]);
	expect(updatesAt(b)).toBe(0);
	pad.destroy();
}, 60_000);

it('takes the same shapes at an honest size: 500 descending deletes, 500 descending inserts', () => {
	const { pad, rows, a, b, updatesAt } = livePad([longItem(1, 2_010)]);
	pad.receiveUpdate(descendingDeletes(1, 500), a);
	pad.receiveUpdate(descendingInserts(1, 2, 500), a);
	expect(a.closes).toEqual([]);
	expect(pad.doc.getText('t').length).toBe(2_010 - 500 + 500);
	expect(rows).toHaveLength(2);
	expect(updatesAt(b)).toBe(2);
	pad.destroy();
});

/** A client's long editing: random inserts, formatting and deletions, seeded. */
function editAtRandom(doc: Y.Doc, edits: number, seed: number) {
	let x = seed;
	const rnd = (n: number) => (x = (x * 1103515245 + 12345) & 0x7fffffff) % n;
	const t = doc.getText('t');
	for (let i = 0; i < edits; i++) {
		if (t.length > 10 && rnd(3) === 0) t.delete(rnd(t.length - 5), 1 + rnd(4));
		else t.insert(rnd(t.length + 1), 'abcdef'.slice(0, 1 + rnd(5)), rnd(4) === 0 ? { bold: true } : {});
	}
}

it("syncs a second client back after long editing: its step 2 carries thousands of historic deletions and is accepted, cheaply", () => {
	const author = new Y.Doc();
	editAtRandom(author, 6_000, 7);
	const historic = Y.encodeStateAsUpdate(author);
	const { pad, a, b } = livePad([historic]);
	const second = new Y.Doc();
	Y.applyUpdate(second, historic);
	// What a stock client sends after sync step 1: everything the server lacks, and the whole delete set.
	const step2 = Y.encodeStateAsUpdate(second, Y.encodeStateVector(pad.doc));
	const ranges = [...Y.decodeUpdate(step2).ds.clients.values()].reduce((n, r) => n + r.length, 0);
	expect(ranges).toBeGreaterThan(1_000);
	const ms = timed(pad, step2, a);
	expect(a.closes).toEqual([]);
	expect(ms).toBeLessThan(STALL_BOUND_MS);
	// Then it edits offline for a while and syncs that back: accepted and relayed.
	const sv = Y.encodeStateVector(second);
	second.clientID = 99;
	editAtRandom(second, 300, 11);
	pad.receiveUpdate(Y.encodeStateAsUpdate(second, sv), a);
	expect(a.closes).toEqual([]);
	expect(pad.doc.getText('t').toString()).toBe(second.getText('t').toString());
	expect(b.sent.some((m) => m[0] === 0 && m[1] === 2)).toBe(true);
	pad.destroy();
}, 60_000);

it('an update over the apply time budget is neither stored nor relayed, closes its sender, and leaves the document as it was', async () => {
	const budget = { applyBudgetMs: 1_000, applyCost: limits.pad.applyCost };
	const { pad, rows, a, b, updatesAt } = livePad([], budget);
	const c = peer('c');
	pad.addPeer(c);
	const bDoc = new Y.Doc();
	const bUpdates: Uint8Array[] = [];
	bDoc.on('update', (u: Uint8Array) => bUpdates.push(u));
	bDoc.getText('t').insert(0, 'kept by b');
	pad.receiveUpdate(bUpdates[0]!, b);
	expect(rows).toHaveLength(1);
	expect(updatesAt(c)).toBe(1);
	const before = stateOf(pad.doc);
	// Every apply is over a budget below zero.
	budget.applyBudgetMs = -1;
	const aDoc = new Y.Doc();
	Y.applyUpdate(aDoc, bUpdates[0]!);
	const aUpdates: Uint8Array[] = [];
	aDoc.on('update', (u: Uint8Array) => aUpdates.push(u));
	aDoc.getText('t').insert(0, 'refused ');
	aDoc.getText('t').delete(8, 4);
	pad.receiveUpdate(aUpdates[0]!, a);
	pad.receiveUpdate(aUpdates[1]!, a);
	expect(a.closes[0]).toBe(4422);
	// Rebuilt from the store, which holds only what was accepted.
	await pad.settled();
	expect(rows).toHaveLength(1);
	expect(updatesAt(c)).toBe(1);
	expect(stateOf(pad.doc)).toBe(before);
	expect(pad.doc.getText('t').toString()).toBe('kept by b');
	// The others carry on: b's next edit lands on the restored document and reaches c.
	budget.applyBudgetMs = 1_000;
	bDoc.getText('t').insert(9, ', and more');
	pad.receiveUpdate(bUpdates[1]!, b);
	expect(pad.doc.getText('t').toString()).toBe('kept by b, and more');
	expect(rows).toHaveLength(2);
	expect(updatesAt(c)).toBe(2);
	expect(pad.awareness.doc).toBe(pad.doc);
	pad.destroy();
});

// --- Hostile updates, generated -------------------------------------------

const LONG = 1;
const LONG_CHARS = 40_000;

/** Clocks inside the long item, sometimes the far end of the clock space. */
const clock = fc.oneof({ weight: 8, arbitrary: fc.nat(LONG_CHARS - 1) }, { weight: 1, arbitrary: fc.integer({ min: LONG_CHARS, max: 2 ** 30 }) });

const deleteSets = fc
	.record({
		ranges: fc.array(fc.tuple(clock, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 25_000, size: 'max' }),
		order: fc.constantFrom('as generated', 'descending', 'ascending'),
		client: fc.constantFrom(LONG, LONG, 5, 2 ** 31)
	})
	.map(({ ranges, order, client }) => {
		if (order !== 'as generated') ranges.sort((x, y) => (order === 'ascending' ? x[0] - y[0] : y[0] - x[0]));
		return craftUpdate({ deletes: new Map([[client, ranges]]) });
	});

/** Inserts by `clients` new clients, each between two characters of the long item (splits), or after one origin (conflict scans). */
const splittingInserts = fc
	.record({
		at: fc.array(fc.tuple(fc.nat(LONG_CHARS - 2), fc.boolean()), { minLength: 1, maxLength: 12_000, size: 'max' }),
		clients: fc.integer({ min: 1, max: 5_000 }),
		sameOrigin: fc.boolean()
	})
	.map(({ at, clients, sameOrigin }) => {
		const next = new Map<number, number>();
		const inserts: CraftedInsert[] = at.map(([pos, withRight], i) => {
			const client = 100 + (i % clients);
			const c = next.get(client) ?? 0;
			next.set(client, c + 1);
			const o = sameOrigin ? 0 : pos;
			return { client, clock: c, origin: [LONG, o], rightOrigin: withRight ? [LONG, sameOrigin ? 1 + (pos % 50) : pos + 1] : null };
		});
		return craftUpdate({ inserts });
	});

const hostile = fc.oneof(deleteSets, splittingInserts, fc.tuple(deleteSets, splittingInserts).map(([d, s]) => Y.mergeUpdates([d, s])));

test.prop([hostile], { seed: 19, numRuns: 40, endOnFailure: true })('no generated hostile update holds the event loop longer than the bound; a refused one changes nothing', (update) => {
	const { pad, rows, a } = livePad([longItem(LONG, LONG_CHARS)]);
	const before = stateOf(pad.doc);
	const ms = timed(pad, update, a);
	if (process.env.PAD_COST_TRACE) console.log(`${update.length} bytes: ${ms.toFixed(1)} ms, ${a.closes.length > 0 ? `refused ${a.closes[0]}` : 'applied'}`);
	expect(ms).toBeLessThan(STALL_BOUND_MS);
	if (a.closes.length > 0) {
		expect(a.closes).toEqual([expect.any(Number)]);
		expect([4400, 4422]).toContain(a.closes[0]);
		expect(stateOf(pad.doc)).toBe(before);
		expect(rows).toEqual([]);
	}
	pad.destroy();
}, 300_000);
