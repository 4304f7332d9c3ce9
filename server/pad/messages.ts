/**
 * The y-websocket protocol's framing, as the pad's documents send and read
 * it: message types, a sync frame around an encoder's contents, and the
 * awareness update's entries (so a connection can be limited to its own).
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

// Message types of the y-websocket protocol.
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

export function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	write(encoder);
	return encoding.toUint8Array(encoder);
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder);
}

export interface AwarenessEntry {
	id: number;
	clock: number;
	state: string;
}

export function readAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
	const decoder = decoding.createDecoder(update);
	const n = decoding.readVarUint(decoder);
	const entries: AwarenessEntry[] = [];
	for (let i = 0; i < n; i++) {
		entries.push({ id: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), state: decoding.readVarString(decoder) });
	}
	return entries;
}

export function writeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const e of entries) {
		encoding.writeVarUint(encoder, e.id);
		encoding.writeVarUint(encoder, e.clock);
		encoding.writeVarString(encoder, e.state);
	}
	return encoding.toUint8Array(encoder);
}
