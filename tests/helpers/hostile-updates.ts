/**
 * Hand-written Yjs updates (format v1, what y-websocket sends) for tests of
 * the pad's apply-cost guard: delete sets and inserts in any order, with any
 * clocks and clients, shapes a stock client would rarely or never produce.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';

/** One inserted character: `origin` and `rightOrigin` are [client, clock]. */
export interface CraftedInsert {
	client: number;
	clock: number;
	origin: [number, number] | null;
	rightOrigin: [number, number] | null;
	/** Root type, written when neither origin is given. */
	parent?: string;
}

export interface CraftedUpdate {
	inserts?: CraftedInsert[];
	/** Per client, [clock, len] ranges in the order they are written. */
	deletes?: Map<number, [number, number][]>;
}

const CONTENT_STRING = 4;

function writeInsert(e: encoding.Encoder, s: CraftedInsert) {
	encoding.writeUint8(e, CONTENT_STRING | (s.origin ? 0x80 : 0) | (s.rightOrigin ? 0x40 : 0));
	for (const id of [s.origin, s.rightOrigin]) {
		if (!id) continue;
		encoding.writeVarUint(e, id[0]);
		encoding.writeVarUint(e, id[1]);
	}
	if (!s.origin && !s.rightOrigin) {
		encoding.writeVarUint(e, 1); // parent is a root type, by name
		encoding.writeVarString(e, s.parent ?? 't');
	}
	encoding.writeVarString(e, 'y');
}

/**
 * Encodes the update. Inserts are grouped by client; a client's inserts must
 * have consecutive clocks (as in any update), which the caller arranges.
 */
export function craftUpdate({ inserts = [], deletes = new Map() }: CraftedUpdate): Uint8Array {
	const e = encoding.createEncoder();
	const byClient = new Map<number, CraftedInsert[]>();
	for (const s of inserts) {
		const list = byClient.get(s.client);
		if (list) list.push(s);
		else byClient.set(s.client, [s]);
	}
	encoding.writeVarUint(e, byClient.size);
	for (const [client, structs] of byClient) {
		structs.sort((a, b) => a.clock - b.clock);
		encoding.writeVarUint(e, structs.length);
		encoding.writeVarUint(e, client);
		encoding.writeVarUint(e, structs[0]!.clock);
		for (const s of structs) writeInsert(e, s);
	}
	encoding.writeVarUint(e, deletes.size);
	for (const [client, ranges] of deletes) {
		encoding.writeVarUint(e, client);
		encoding.writeVarUint(e, ranges.length);
		for (const [clock, len] of ranges) {
			encoding.writeVarUint(e, clock);
			encoding.writeVarUint(e, len);
		}
	}
	return encoding.toUint8Array(e);
}

/** A y-websocket sync "update" message carrying `update`. */
export function syncUpdateFrame(update: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint(e, 2);
	encoding.writeVarUint8Array(e, update);
	return encoding.toUint8Array(e);
}

/** A document holding one long string item of `client` (the text 't'), as an update. */
export function longItem(client: number, chars: number): Uint8Array {
	const doc = new Y.Doc();
	doc.clientID = client;
	doc.getText('t').insert(0, 'x'.repeat(chars));
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** `count` one-character delete ranges at odd clocks of `client`, in descending order (the 33 s case at 80,000). */
export function descendingDeletes(client: number, count: number): Uint8Array {
	const ranges: [number, number][] = [];
	for (let i = count - 1; i >= 0; i--) ranges.push([2 * i + 1, 1]);
	return craftUpdate({ deletes: new Map([[client, ranges]]) });
}

/**
 * `count` one-character inserts by `by`, each between two characters of
 * `into`'s long item, the later clocks further left: every insert splits
 * the item near the front of the struct array.
 */
export function descendingInserts(into: number, by: number, count: number): Uint8Array {
	const inserts: CraftedInsert[] = [];
	for (let i = 0; i < count; i++) {
		const at = 2 * (count - 1 - i);
		inserts.push({ client: by, clock: i, origin: [into, at], rightOrigin: [into, at + 1] });
	}
	return craftUpdate({ inserts });
}
