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
	/** Present on a store several instances can share (PostgreSQL): seqs from head rows, sealing, folding from the database. */
	heads?: PadHeads;
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

/** An update to store under the next seq its document's head row hands out. */
export interface UnsequencedUpdate {
	doc: string;
	data: Uint8Array;
}

/** What a reader that is behind on a document lacks (see PadHeads.readAfter). */
export interface MissedUpdates {
	/** The snapshot, when it covers seqs the reader lacks. */
	snapshot: { seq: number; data: Uint8Array } | null;
	updates: { seq: number; data: Uint8Array }[];
	sealed: boolean;
}

/**
 * A store several instances share (PostgreSQL): each document's head row
 * hands out seqs as updates are stored, refuses them once sealed, and is
 * locked while the document is compacted or changed from stored state.
 */
export interface PadHeads {
	/** Stores the rows with the seqs their heads hand out, in order per document; null for a row of a sealed document (not stored). */
	append(rows: readonly UnsequencedUpdate[]): Promise<(number | null)[]>;
	/** The document's stored updates after `after` (and the snapshot, when it covers some of them). */
	readAfter(doc: string, after: number): Promise<MissedUpdates>;
	/** The head rows of these documents (absent: never written). */
	heads(docs: readonly string[]): Promise<Map<string, { seq: number; sealed: boolean }>>;
	/** The documents take no more updates, on every instance. */
	seal(docs: readonly string[]): Promise<void>;
	/** Folds the stored updates up to `uptoSeq` into the snapshot; what it folded up to, or null when there was nothing. */
	fold(doc: string, uptoSeq: number): Promise<{ seq: number; bytes: number } | null>;
	/** Stores the update `change` makes to the stored document, under the head's lock (see postgres heads). */
	underLock(doc: string, change: (stored: StoredDoc) => Promise<Uint8Array | null>): Promise<{ stored: StoredDoc; seq: number | null }>;
}
