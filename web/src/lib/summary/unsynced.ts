/**
 * Edits on this page that the server has not confirmed yet. A feature that
 * holds local edits (the pad's y-websocket provider: not yet `synced`, or
 * updates waiting to be sent) registers a counter here; the end dialog asks
 * every open page before the session ends, and warns the coach by name.
 */
const counters = new Set<() => number>();

/** Registers a counter of unconfirmed edits; returns the unregister function. */
export function reportUnsynced(count: () => number): () => void {
	counters.add(count);
	return () => counters.delete(count);
}

export function unsyncedEdits(): number {
	let n = 0;
	for (const c of counters) {
		try {
			n += Math.max(0, c() | 0);
		} catch {
			n += 1; // a counter that fails cannot vouch for its edits
		}
	}
	return n;
}
