/**
 * Seeded property test of the pad's merges through the server: two or three
 * peers edit actions, learning points and notes at random while the network
 * between them and the server's PadDocument reorders and drops messages;
 * after they reconnect (the y-websocket handshake), every peer, the
 * server's document and what the real SQLite pad store holds are the same
 * document, with nothing left waiting for a missing piece.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as Y from 'yjs';
import pino from 'pino';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { actionsOf, deleteItem, insertAction, insertLearning, moveItem, newAction, notesOf, readActions, readLearningPoints, notesText, updateItem } from '../../shared/pad/index.ts';
import { PadDocument, MESSAGE_SYNC, syncMessage, type PadPeer } from '../../server/pad/document.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { createSqlitePadStore, PadJournal, type PadStore } from '../../server/pad/store/index.ts';
import { openStore, type Store } from '../../server/store/index.ts';

const quiet = pino({ level: 'silent' });
const REMOTE = Symbol('remote');

let dir: string;
let db: Store;
let store: PadStore;
let writer: UpdateWriter;
let runs = 0;

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-merge-prop-'));
	db = await openStore({ dataDir: dir });
	store = createSqlitePadStore(db.sqlite!, new PadJournal(path.join(dir, 'pad-journal'), { segmentBytes: 1024 * 1024, syncMs: 60_000 }, quiet));
	await store.recover();
	writer = new UpdateWriter(store, quiet, { minMs: 10, maxMs: 20 });
});

afterAll(async () => {
	await writer.drain();
	await store.close();
	await db.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

type Edit =
	| { kind: 'add'; at: number; text: string }
	| { kind: 'status'; pick: number; status: 'open' | 'done' | 'dropped' }
	| { kind: 'move'; pick: number; to: number }
	| { kind: 'delete'; pick: number }
	| { kind: 'learn'; text: string }
	| { kind: 'type'; at: number; text: string }
	| { kind: 'erase'; at: number; length: number };

type Step =
	| { kind: 'edit'; peer: number; edit: Edit }
	/** Delivers the `pick`-th waiting message (any, so messages overtake each other). */
	| { kind: 'deliver'; peer: number; toServer: boolean; pick: number }
	| { kind: 'drop'; peer: number; toServer: boolean; pick: number };

const small = fc.nat({ max: 50 });
const words = fc.string({ minLength: 1, maxLength: 8 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
	fc.record({ kind: fc.constant('add' as const), at: small, text: words }),
	fc.record({ kind: fc.constant('status' as const), pick: small, status: fc.constantFrom('open' as const, 'done' as const, 'dropped' as const) }),
	fc.record({ kind: fc.constant('move' as const), pick: small, to: small }),
	fc.record({ kind: fc.constant('delete' as const), pick: small }),
	fc.record({ kind: fc.constant('learn' as const), text: words }),
	fc.record({ kind: fc.constant('type' as const), at: small, text: words }),
	fc.record({ kind: fc.constant('erase' as const), at: small, length: fc.integer({ min: 1, max: 5 }) })
);
const peerIndex = fc.nat({ max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), peer: peerIndex, edit }) },
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), peer: peerIndex, toServer: fc.boolean(), pick: small }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), peer: peerIndex, toServer: fc.boolean(), pick: small }) }
);

function notesTextOf(doc: Y.Doc): Y.XmlText {
	const notes = notesOf(doc);
	const first = notes.get(0);
	if (first instanceof Y.XmlElement && first.get(0) instanceof Y.XmlText) return first.get(0) as Y.XmlText;
	const paragraph = new Y.XmlElement('paragraph');
	paragraph.insert(0, [new Y.XmlText()]);
	notes.insert(0, [paragraph]);
	return paragraph.get(0) as Y.XmlText;
}

function apply(doc: Y.Doc, e: Edit, by: string) {
	const list = actionsOf(doc);
	const nth = (pick: number) => (list.length === 0 ? null : readActions(doc)[pick % list.length]!);
	if (e.kind === 'add') insertAction(doc, newAction(by, { text: e.text }), e.at % (list.length + 1));
	else if (e.kind === 'status') {
		const a = nth(e.pick);
		if (a) updateItem(doc, list, a.id, { status: e.status }, by);
	} else if (e.kind === 'move') {
		if (list.length > 0) moveItem(doc, list, e.pick % list.length, e.to % list.length);
	} else if (e.kind === 'delete') {
		const a = nth(e.pick);
		if (a) deleteItem(doc, list, a.id);
	} else if (e.kind === 'learn') insertLearning(doc, by, e.text);
	else {
		const text = notesTextOf(doc);
		if (e.kind === 'type') text.insert(e.at % (text.length + 1), e.text);
		else if (text.length > 0) {
			const at = e.at % text.length;
			text.delete(at, Math.min(e.length, text.length - at));
		}
	}
}

/** One peer: its document, what the server sent it and what it sends the server. */
interface Peer {
	doc: Y.Doc;
	inbox: Uint8Array[];
	outbox: Uint8Array[];
	link: PadPeer & { closed: string | null };
}

function connect(pad: PadDocument, peer: Peer, n: number) {
	peer.link = { id: `peer${n}`, closed: null, send: (m) => peer.inbox.push(m), close: (code, reason) => void (peer.link.closed = `${code} ${reason}`) };
	pad.addPeer(peer.link);
	// A stock client opens with its own sync step 1.
	peer.outbox.push(syncMessage((e) => syncProtocol.writeSyncStep1(e, peer.doc)));
}

function toServer(pad: PadDocument, peer: Peer, message: Uint8Array) {
	const d = decoding.createDecoder(message);
	if (decoding.readVarUint(d) === MESSAGE_SYNC) pad.handleSync(d, peer.link);
}

function toPeer(peer: Peer, message: Uint8Array) {
	const d = decoding.createDecoder(message);
	if (decoding.readVarUint(d) !== MESSAGE_SYNC) return; // awareness
	const reply = encoding.createEncoder();
	encoding.writeVarUint(reply, MESSAGE_SYNC);
	syncProtocol.readSyncMessage(d, reply, peer.doc, REMOTE);
	if (encoding.length(reply) > 1) peer.outbox.push(encoding.toUint8Array(reply));
}

/** Delivers everything waiting, both ways, until nothing moves (the server answers step 1 once its updates are stored). */
async function settle(pad: PadDocument, peers: Peer[]) {
	for (let quiet = 0; quiet < 2; ) {
		let moved = false;
		for (const p of peers) {
			for (const m of p.outbox.splice(0)) (moved = true), toServer(pad, p, m);
			for (const m of p.inbox.splice(0)) (moved = true), toPeer(p, m);
		}
		await pad.stored();
		await new Promise((r) => setImmediate(r));
		quiet = moved ? 0 : quiet + 1;
	}
}

const content = (doc: Y.Doc) => ({ actions: readActions(doc), learning: readLearningPoints(doc), notes: notesText(notesOf(doc)) });

test.prop([fc.integer({ min: 2, max: 3 }), fc.array(step, { minLength: 1, maxLength: 60 })], { seed: 20261201, numRuns: 120 })(
	'two or three peers converge with the server and its store under random edits, drops and reorderings',
	async (count, steps) => {
		const name = `session.prop${String(++runs).padStart(12, '0')}.shared`;
		const pad = new PadDocument(name, await store.load(name), { writer, storage: store, log: quiet });
		const peers: Peer[] = [];
		for (let i = 0; i < count; i++) {
			const doc = new Y.Doc();
			doc.clientID = 1000 + i;
			const peer: Peer = { doc, inbox: [], outbox: [], link: null as never };
			doc.on('update', (u: Uint8Array, origin: unknown) => {
				if (origin !== REMOTE) peer.outbox.push(syncMessage((e) => syncProtocol.writeUpdate(e, u)));
			});
			connect(pad, peer, i);
			peers.push(peer);
		}
		try {
			for (const s of steps) {
				const peer = peers[s.peer % count]!;
				if (s.kind === 'edit') apply(peer.doc, s.edit, `peer${s.peer % count}`);
				else {
					const queue = s.toServer ? peer.outbox : peer.inbox;
					if (queue.length === 0) continue;
					const [m] = queue.splice(s.pick % queue.length, 1);
					if (s.kind === 'deliver') s.toServer ? toServer(pad, peer, m!) : toPeer(peer, m!);
				}
				await new Promise((r) => setImmediate(r));
			}
			await settle(pad, peers);
			// Dropped messages are made good by reconnecting: the handshake exchanges what each side lacks.
			for (const [i, p] of peers.entries()) {
				pad.removePeer(p.link);
				connect(pad, p, i);
			}
			await settle(pad, peers);
			await pad.stored();
			const fromStore = new Y.Doc();
			const stored = await store.load(name);
			for (const u of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(fromStore, u);
			const expected = content(pad.doc);
			for (const doc of [...peers.map((p) => p.doc), fromStore]) {
				expect(content(doc)).toEqual(expected);
				expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(pad.doc));
				expect(doc.store.pendingStructs).toBeNull();
			}
			expect(pad.doc.store.pendingStructs).toBeNull();
			expect(peers.map((p) => p.link.closed)).toEqual(peers.map(() => null));
		} finally {
			pad.destroy();
			for (const p of peers) p.doc.destroy();
		}
	}
);
