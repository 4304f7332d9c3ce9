/** Row types of the pad's head rows (migration 0027; the updates and snapshots are in schema.ts). */

export interface PadHeadRow {
	doc: string;
	/** The last seq handed out: every update 1..seq is stored or folded into the snapshot. */
	seq: number;
	/** When the session ended and the document became read-only everywhere; null while it takes edits. */
	sealed_at: number | null;
}
