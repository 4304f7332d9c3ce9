/**
 * The pad store's contract: where a pad document's accepted updates and its
 * compacted snapshot live. Two implementations keep it (sqlite.ts: journal
 * file plus SQLite snapshots; postgres.ts: tables only), and one contract
 * suite (tests/integration/pad-store-contract.test.ts) holds both to it.
 */

export interface StoredUpdate {
	doc: string;
	seq: number;
	data: Uint8Array;
}

export interface StoredDoc {
	snapshot: Uint8Array | null;
	/** Updates after the snapshot, in seq order, each seq once. */
	updates: Uint8Array[];
	/** Highest seq stored for the document (0 when new). */
	seq: number;
	/** Bytes stored (snapshot + updates): the document's size before compaction. */
	bytes: number;
}

export interface PadStore {
	/**
	 * Moves what a crash left outside the database into it (the journal, on
	 * SQLite) and returns how many updates it read. Call it once, before
	 * anything else; running it again after a crash halfway through changes
	 * nothing (idempotent).
	 */
	recover(): Promise<number>;
	/** Everything stored for the document: snapshot and the updates after it. Documents never mix. */
	load(doc: string): Promise<StoredDoc>;
	exists(doc: string): Promise<boolean>;
	/**
	 * Stores the rows (any documents) durably before resolving. Idempotent on
	 * (doc, seq): a retried batch that had in fact been written, whole or in
	 * part, stores nothing twice and never fails for it; the first bytes
	 * stored for a seq are kept.
	 */
	append(rows: readonly StoredUpdate[]): Promise<void>;
	/**
	 * The same, before returning, for a store whose write is cheap enough to
	 * make per update (the SQLite journal: one write system call); absent
	 * where it is not (PostgreSQL: a network round trip).
	 */
	appendNow?(rows: readonly StoredUpdate[]): void;
	/**
	 * Replaces the document's snapshot with `state` (every update up to
	 * `uptoSeq`) and drops those updates, atomically: a failure leaves what
	 * load returns unchanged. Updates after `uptoSeq` stay.
	 */
	compact(doc: string, state: Uint8Array, uptoSeq: number): Promise<void>;
	/**
	 * Removes every stored byte of these documents: updates, snapshot and, on
	 * SQLite, their records in the journal's files (an engagement's content
	 * erased by agreement, server/yourdata). Nothing may be writing to them.
	 */
	erase(docs: readonly string[]): Promise<void>;
	/** Flushes and lets go of the store's own files; the database stays open (its owner closes it). */
	close(): Promise<void>;
}

/** Rows as `load` returns them: sorted by seq, the first bytes kept for a seq stored twice. */
export function storedDoc(snapshot: { seq: number; data: Uint8Array } | undefined, rows: Iterable<{ seq: number; data: Uint8Array }>): StoredDoc {
	const after = snapshot?.seq ?? 0;
	const bySeq = new Map<number, Uint8Array>();
	for (const r of rows) if (r.seq > after && !bySeq.has(r.seq)) bySeq.set(r.seq, r.data);
	const seqs = [...bySeq.keys()].sort((a, b) => a - b);
	const updates = seqs.map((s) => bySeq.get(s)!);
	const snap = snapshot ? snapshot.data : null;
	return {
		snapshot: snap,
		updates,
		seq: seqs.at(-1) ?? after,
		bytes: (snap?.length ?? 0) + updates.reduce((n, u) => n + u.length, 0)
	};
}
