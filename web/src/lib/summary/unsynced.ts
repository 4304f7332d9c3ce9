/**
 * Edits on this page that the server has not stored yet. A feature that
 * holds local edits (each pad document, through its SavedEdits: the same
 * signal its "Saved" status shows) registers a reporter here; the end dialog
 * asks every open page before the session ends, and warns the coach with
 * the document and how long ago it was edited.
 */
export interface UnsavedReport {
	/** The session the document belongs to: a page keeps another session's pad open a little after leaving it. */
	sessionId: string;
	/** In words, e.g. "shared notes". */
	document: string;
	/** Edits the server has not confirmed. */
	edits: number;
	/** When the latest of them was made (epoch ms), null when there are none. */
	lastEditAt: number | null;
}

const reporters = new Set<() => UnsavedReport>();

/** Registers a reporter of unconfirmed edits; returns the unregister function. */
export function reportUnsynced(report: () => UnsavedReport): () => void {
	reporters.add(report);
	return () => reporters.delete(report);
}

/** The session's documents on this page with edits the server has not stored, latest edit first. */
export function unsavedDocuments(sessionId: string): UnsavedReport[] {
	const out: UnsavedReport[] = [];
	for (const report of reporters) {
		try {
			const r = report();
			if (r.edits > 0 && r.sessionId === sessionId) out.push(r);
		} catch {
			// A reporter that fails cannot vouch for its edits.
			out.push({ sessionId, document: 'a pad document', edits: 1, lastEditAt: null });
		}
	}
	return out.sort((a, b) => (b.lastEditAt ?? 0) - (a.lastEditAt ?? 0));
}

export function unsyncedEdits(sessionId: string): number {
	return unsavedDocuments(sessionId).reduce((n, r) => n + r.edits, 0);
}

/** "shared notes: typed 2 s ago, not saved yet" */
export function describeUnsaved(r: UnsavedReport, now = Date.now()): string {
	if (r.lastEditAt === null) return `${r.document}: edited, not saved yet`;
	const seconds = Math.max(0, Math.round((now - r.lastEditAt) / 1000));
	const ago = seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
	return `${r.document}: typed ${ago} ago, not saved yet`;
}
