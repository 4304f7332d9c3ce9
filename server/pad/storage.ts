/**
 * Where pad documents live: an append-only log of updates per document plus
 * one compacted snapshot, in the main store (SQLite or PostgreSQL).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface StoredUpdate {
	doc: string;
	seq: number;
	data: Uint8Array;
}

export interface StoredDoc {
	snapshot: Uint8Array | null;
	/** Updates after the snapshot, in order. */
	updates: Uint8Array[];
	/** Highest seq stored for the document (0 when new). */
	seq: number;
	/** Bytes stored (snapshot + updates): the document's size before compaction. */
	bytes: number;
}

// Both drivers take a Buffer; pg does not take every Uint8Array view.
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asBytes = (v: Uint8Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export class PadStorage {
	private readonly db: Kysely<Database>;
	constructor(db: Kysely<Database>) {
		this.db = db;
	}

	async load(doc: string): Promise<StoredDoc> {
		const snap = await this.db.selectFrom('pad_snapshots').select(['seq', 'data']).where('doc', '=', doc).executeTakeFirst();
		const after = snap?.seq ?? 0;
		const rows = await this.db.selectFrom('pad_updates').select(['seq', 'data']).where('doc', '=', doc).where('seq', '>', after).orderBy('seq').execute();
		const updates = rows.map((r) => asBytes(r.data));
		const snapshot = snap ? asBytes(snap.data) : null;
		return {
			snapshot,
			updates,
			seq: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
			bytes: (snapshot?.length ?? 0) + updates.reduce((n, u) => n + u.length, 0)
		};
	}

	async exists(doc: string): Promise<boolean> {
		const snap = await this.db.selectFrom('pad_snapshots').select('doc').where('doc', '=', doc).executeTakeFirst();
		if (snap) return true;
		return !!(await this.db.selectFrom('pad_updates').select('doc').where('doc', '=', doc).limit(1).executeTakeFirst());
	}

	/**
	 * Appends updates in one statement (one transaction). A retried batch that
	 * had in fact been written is ignored row by row instead of failing.
	 */
	async append(rows: StoredUpdate[]): Promise<void> {
		if (rows.length === 0) return;
		const now = Date.now();
		await this.db
			.insertInto('pad_updates')
			.values(rows.map((r) => ({ doc: r.doc, seq: r.seq, data: asBuffer(r.data), created_at: now })))
			.onConflict((oc) => oc.columns(['doc', 'seq']).doNothing())
			.execute();
	}

	/** Replaces the snapshot and drops the updates it contains, atomically. */
	async compact(doc: string, state: Uint8Array, seq: number): Promise<void> {
		const now = Date.now();
		await this.db.transaction().execute(async (trx) => {
			await trx
				.insertInto('pad_snapshots')
				.values({ doc, seq, data: asBuffer(state), updated_at: now })
				.onConflict((oc) => oc.column('doc').doUpdateSet({ seq, data: asBuffer(state), updated_at: now }))
				.execute();
			await trx.deleteFrom('pad_updates').where('doc', '=', doc).where('seq', '<=', seq).execute();
		});
	}
}
