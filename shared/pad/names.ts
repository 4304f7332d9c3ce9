/**
 * Names of pad documents. Each coaching session has two: the shared pad
 * (actions, notes, learning points) that every member syncs, and the coach's
 * private notes that only the coach's connections ever receive. The name is
 * the last path segment of the sync URL: `/pad/session.<id>.shared`.
 */

export type PadKind = 'shared' | 'private';

export interface PadName {
	sessionId: string;
	kind: PadKind;
}

/** URL path the sync endpoint listens on; the stock provider appends `/<name>`. */
export const PAD_PATH = '/pad';

// Session ids are base32 tokens (see server/auth/tokens.ts); the bound keeps
// garbage names from reaching the database.
const NAME = /^session\.([a-z0-9]{10,40})\.(shared|private)$/;

export function padName(sessionId: string, kind: PadKind): string {
	return `session.${sessionId}.${kind}`;
}

/** The session and kind a document name refers to, or null for anything else. */
export function parsePadName(name: string): PadName | null {
	const m = NAME.exec(name);
	return m ? { sessionId: m[1]!, kind: m[2] as PadKind } : null;
}
