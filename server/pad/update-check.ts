/**
 * Looks at an update before it touches a live document. A crafted update can
 * declare huge struct counts or clock ranges (yjs issue 687) that make
 * applying it slow or make the document enormous. Decoding (without
 * applying) costs time proportional to the bytes received, which
 * limits.pad.maxMessageBytes bounds; then the declared structure is checked
 * against the bounds; then apply-cost.ts weighs the work it would cause in
 * the live document, and only then is the update applied.
 */
import * as Y from 'yjs';

export interface UpdateBounds {
	maxStructsPerUpdate: number;
	/** Highest clock an item may reach; a client's clock grows by one per inserted character. */
	maxClock: number;
}

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/** On success, the decoded update, so the cost estimate (apply-cost.ts) need not decode it again. */
export type UpdateVerdict = { ok: true; structs: number; decoded: DecodedUpdate } | { ok: false; malformed: boolean; reason: string };

export function inspectUpdate(update: Uint8Array, bounds: UpdateBounds): UpdateVerdict {
	let decoded: DecodedUpdate;
	try {
		decoded = Y.decodeUpdate(update);
	} catch {
		return { ok: false, malformed: true, reason: 'The update could not be decoded.' };
	}
	const { structs, ds } = decoded;
	if (structs.length > bounds.maxStructsPerUpdate) {
		return { ok: false, malformed: false, reason: `The update has ${structs.length} parts; at most ${bounds.maxStructsPerUpdate} are accepted.` };
	}
	for (const s of structs) {
		if (s.id.clock + s.length > bounds.maxClock) return { ok: false, malformed: false, reason: 'The update declares an impossible clock range.' };
	}
	let deletes = 0;
	for (const items of ds.clients.values()) {
		deletes += items.length;
		for (const d of items) if (d.clock + d.len > bounds.maxClock) return { ok: false, malformed: false, reason: 'The update deletes an impossible range.' };
	}
	if (deletes > bounds.maxStructsPerUpdate) return { ok: false, malformed: false, reason: 'The update deletes too many ranges at once.' };
	return { ok: true, structs: structs.length, decoded };
}
