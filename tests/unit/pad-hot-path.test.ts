/**
 * The pad's per-update work for honest typing (issue 11, bench:pad): a
 * keystroke's cost is found without the full estimate and agrees with it;
 * an undone update is rebuilt from the store rather than from a copy kept in
 * memory; and a keystroke whose clock time overran only because the process
 * was held up elsewhere is not refused.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as Y from 'yjs';
import pino from 'pino';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { PadDocument, type DocumentStorage, type PadPeer } from '../../server/pad/document.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { estimateApplyCost, fullApplyCost, keystrokeCost } from '../../server/pad/apply-cost.ts';
import { storedDoc, type StoredDoc, type StoredUpdate } from '../../server/pad/store/index.ts';
import { limits } from '../../server/config/index.ts';

const w = limits.pad.applyCost;
const log = pino({ level: 'silent' });

afterEach(() => {
	vi.restoreAllMocks();
});

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

const isUpdate = (m: Uint8Array) => m[0] === 0 && m[1] === 2;
const isStep1 = (m: Uint8Array) => m[0] === 0 && m[1] === 0;

/** A client document that records each of its own updates. */
function client(id: number) {
	const doc = new Y.Doc();
	doc.clientID = id;
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array, origin: unknown) => {
		if (origin !== 'remote') updates.push(u);
	});
	return { doc, updates, text: doc.getText('t') };
}

/** One random honest edit: mostly typing at the end, sometimes in the middle, deleting or formatting. */
const edit = fc.record({ kind: fc.constantFrom('end', 'end', 'end', 'middle', 'delete', 'bold', 'start'), at: fc.nat(), len: fc.integer({ min: 1, max: 4 }), who: fc.nat(1) });

test.prop([fc.array(edit, { minLength: 1, maxLength: 300 })], { seed: 20261201, numRuns: 60 })(
	"a keystroke's quick cost is the full estimate's, and honest end-of-text typing takes the quick path",
	(edits) => {
		const server = new Y.Doc();
		const peers = [client(1), client(2)];
		let quick = 0;
		let endTyping = 0;
		for (const e of edits) {
			const c = peers[e.who]!;
			const before = c.updates.length;
			const n = c.text.length;
			if (e.kind === 'end') c.text.insert(n, 'x');
			else if (e.kind === 'start') c.text.insert(0, 'y');
			else if (e.kind === 'middle') c.text.insert(e.at % (n + 1), 'ab'.slice(0, e.len % 2 + 1));
			else if (e.kind === 'delete' && n > 0) c.text.delete(e.at % n, Math.min(e.len, n - (e.at % n)));
			else if (e.kind === 'bold' && n > 0) c.text.format(e.at % n, 1, { bold: true });
			for (const u of c.updates.slice(before)) {
				const decoded = Y.decodeUpdate(u);
				const fast = keystrokeCost(server, decoded, w);
				const full = fullApplyCost(server, decoded, w);
				if (fast !== null) {
					quick++;
					expect(full).toEqual({ ok: true, cost: fast });
				}
				if (e.kind === 'end') endTyping++;
				expect(estimateApplyCost(server, decoded, w)).toEqual(fast !== null ? { ok: true, cost: fast } : full);
				Y.applyUpdate(server, u);
				for (const other of peers) if (other !== c) Y.applyUpdate(other.doc, u, 'remote');
			}
		}
		// Typing at the end of a text that both peers share is the quick path's case.
		if (endTyping > 10) expect(quick).toBeGreaterThan(endTyping / 2);
		expect(server.getText('t').toString()).toBe(peers[0]!.text.toString());
	}
);

it('takes the quick path for a keystroke at the end of a long text, and not for an insert that splits an item', () => {
	const server = new Y.Doc();
	const a = client(1);
	a.text.insert(0, 'x'.repeat(1000));
	Y.applyUpdate(server, a.updates[0]!);
	a.text.insert(1000, 'y');
	expect(keystrokeCost(server, Y.decodeUpdate(a.updates[1]!), w)).toBe(w.struct);
	Y.applyUpdate(server, a.updates[1]!);
	// Inside the long item: Yjs splits it, so the full estimate is needed.
	a.text.insert(500, 'z');
	expect(keystrokeCost(server, Y.decodeUpdate(a.updates[2]!), w)).toBeNull();
});

/** A live document whose store can be held up: `release()` lets a pending load through. */
function livePad(budget = { applyBudgetMs: 1_000, applyCost: limits.pad.applyCost }) {
	const rows: StoredUpdate[] = [];
	const target = {
		async append(r: StoredUpdate[]) {
			rows.push(...r);
		},
		appendNow(r: StoredUpdate[]) {
			rows.push(...r);
		}
	};
	let loads = 0;
	let release: () => void = () => {};
	const storage: DocumentStorage = {
		compact: async () => {},
		async load(): Promise<StoredDoc> {
			loads++;
			await new Promise<void>((r) => (release = r));
			return storedDoc(undefined, rows);
		}
	};
	const writer = new UpdateWriter(target, log, { minMs: 10, maxMs: 20 });
	const pad = new PadDocument('session.abcdefghij234567.shared', { snapshot: null, updates: [], seq: 0, bytes: 0 }, { writer, storage, log, budget });
	return { pad, rows, budget, loads: () => loads, release: () => release() };
}

it('an undone update is rebuilt from the store; what another peer sends meanwhile is pulled again and lands', async () => {
	const { pad, rows, budget, loads, release } = livePad();
	const [a, b, c] = [peer('a'), peer('b'), peer('c')];
	for (const p of [a, b, c]) pad.addPeer(p);
	const bDoc = client(2);
	bDoc.text.insert(0, 'kept');
	pad.receiveUpdate(bDoc.updates[0]!, b);
	expect(rows).toHaveLength(1);
	budget.applyBudgetMs = -1;
	const aDoc = client(1);
	aDoc.text.insert(0, 'refused');
	pad.receiveUpdate(aDoc.updates[0]!, a);
	expect(a.closes).toEqual([4422]);
	budget.applyBudgetMs = 1_000;
	// While the store is read, b's next edit is not taken (b keeps it) and a newcomer waits.
	bDoc.text.insert(4, ' and more');
	pad.receiveUpdate(bDoc.updates[1]!, b);
	const newcomer = peer('d');
	pad.addPeer(newcomer);
	pad.handleSync(step1Decoder(new Y.Doc()), newcomer);
	await new Promise((r) => setTimeout(r, 20));
	expect(loads()).toBe(1);
	expect(rows).toHaveLength(1);
	expect(newcomer.sent.filter((m) => m[0] === 0 && m[1] === 1)).toHaveLength(0);
	const step1sBefore = b.sent.filter(isStep1).length;
	release();
	await pad.settled();
	expect(pad.doc.getText('t').toString()).toBe('kept');
	expect(pad.awareness.doc).toBe(pad.doc);
	// Every peer is asked for what it has; b answers with its edit, which is stored and relayed.
	expect(b.sent.filter(isStep1).length).toBe(step1sBefore + 1);
	pad.receiveUpdate(Y.encodeStateAsUpdate(bDoc.doc, Y.encodeStateVector(pad.doc)), b);
	expect(pad.doc.getText('t').toString()).toBe('kept and more');
	expect(rows).toHaveLength(2);
	expect(c.sent.filter(isUpdate)).toHaveLength(2);
	// The newcomer got the stored state only, never the refused update.
	await new Promise((r) => setTimeout(r, 0));
	const step2 = newcomer.sent.find((m) => m[0] === 0 && m[1] === 1)!;
	const seen = new Y.Doc();
	Y.applyUpdate(seen, step2Update(step2));
	expect(seen.getText('t').toString()).toBe('kept');
	pad.destroy();
});

/** A sync step 1 as handleSync reads it, after the outer message type. */
function step1Decoder(doc: Y.Doc) {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
	return decoding.createDecoder(encoding.toUint8Array(e));
}

/** The update inside a sync step 2 message. */
function step2Update(message: Uint8Array): Uint8Array {
	const d = decoding.createDecoder(message);
	decoding.readVarUint(d);
	decoding.readVarUint(d);
	return decoding.readVarUint8Array(d);
}

it('a keystroke whose clock time overran while the process was held up elsewhere is taken: only CPU time counts', () => {
	const { pad, rows } = livePad({ applyBudgetMs: 100, applyCost: limits.pad.applyCost });
	const [a, b] = [peer('a'), peer('b')];
	pad.addPeer(a);
	pad.addPeer(b);
	const aDoc = client(1);
	aDoc.text.insert(0, 'x');
	// The clock jumps 500 ms during the apply (a GC pause elsewhere, the process descheduled).
	const real = performance.now.bind(performance);
	let skew = 0;
	vi.spyOn(performance, 'now').mockImplementation(() => real() + skew);
	pad.doc.on('beforeTransaction', () => (skew += 500));
	pad.receiveUpdate(aDoc.updates[0]!, a);
	expect(a.closes).toEqual([]);
	expect(rows).toHaveLength(1);
	expect(b.sent.filter(isUpdate)).toHaveLength(1);
	pad.destroy();
});
