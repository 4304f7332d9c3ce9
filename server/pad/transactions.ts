/** Small facts about Yjs documents and transactions that the pad's documents act on. */
import * as Y from 'yjs';
import type { Logger } from '../log/index.ts';
import type { StoredDoc } from './store/index.ts';

/** Whether the transaction changed the document (Yjs's own test before it emits 'update'). */
export function changedIn(tr: Y.Transaction): boolean {
	if (tr.deleteSet.clients.size > 0) return true;
	for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) return true;
	return false;
}

/** Structs or deletions waiting for something the document lacks. */
export function hasPending(doc: Y.Doc): boolean {
	return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/** This thread's CPU time in ms: the apply budget counts work done, not time descheduled. */
export const cpuMs = (): number => {
	const u = process.threadCpuUsage();
	return (u.user + u.system) / 1000;
};

let mark = { at: -Infinity, cpu: 0 };

/**
 * A reading of this thread's CPU time (ms) taken at most `maxAgeMs` before
 * `now` (performance.now()): one system call per `maxAgeMs` at most. CPU time
 * since then is at least what was used since `now`, and at most `maxAgeMs` more.
 */
export function recentCpuMs(now: number, maxAgeMs: number): number {
	if (now - mark.at > maxAgeMs) mark = { at: now, cpu: cpuMs() };
	return mark.cpu;
}

/** A document holding a stored state (snapshot, then the updates since), filled in one transaction tagged `origin`. */
export function docFromStored(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }, clientID: number | null, origin: unknown, log: Logger): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	if (clientID !== null) doc.clientID = clientID;
	doc.transact(() => {
		for (const u of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) {
			try {
				Y.applyUpdate(doc, u, origin);
			} catch (err) {
				// Only validated updates are stored; if one is unreadable anyway, keep the rest.
				log.error({ err }, 'a stored pad update could not be applied; skipping it');
			}
		}
	}, origin);
	return doc;
}

/** Reads a document back from its store, trying again every `retryMs` while that fails; null once `gone()`. */
export async function reload(load: () => Promise<StoredDoc>, retryMs: number, gone: () => boolean, log: Logger): Promise<StoredDoc | null> {
	for (;;) {
		if (gone()) return null;
		try {
			return await load();
		} catch (err) {
			log.error({ err }, 'pad document could not be reloaded from the store; trying again');
			await new Promise((r) => setTimeout(r, retryMs).unref());
		}
	}
}
