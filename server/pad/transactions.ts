/** Small facts about Yjs documents and transactions that the pad's documents act on. */
import type * as Y from 'yjs';

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
