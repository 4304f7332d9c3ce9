/**
 * The pad store on PostgreSQL: updates and snapshots in the main database's
 * tables (written through Kysely). A write is a network round trip, so the
 * writer gathers each event-loop turn's updates, across documents, into
 * one insert; nothing lives outside the database, so there is nothing to
 * recover after a crash. The writer stores through `heads` (heads.ts), which
 * hands out seqs from each document's head row; `append` with explicit seqs
 * stays for the contract suite and rows that already have theirs.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import { failpoint } from '../../failpoints/index.ts';
import { postgresHeads } from './heads.ts';
import { storedDoc, type PadStore } from './types.ts';

// pg does not take every Uint8Array view as bytea; a Buffer over the same memory it does.
const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asBytes = (v: Uint8Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export function createPostgresPadStore(db: Kysely<Database>): PadStore {
	return {
		heads: postgresHeads(db),

		async recover() {
			return 0;
		},

		// One snapshot of the database for both reads: a compaction in between would otherwise lose the updates it folded.
		load(doc) {
			return db
				.transaction()
				.setIsolationLevel('repeatable read')
				.execute(async (trx) => {
					const snap = await trx.selectFrom('pad_snapshots').select(['seq', 'data']).where('doc', '=', doc).executeTakeFirst();
					const rows = await trx.selectFrom('pad_updates').select(['seq', 'data']).where('doc', '=', doc).where('seq', '>', snap?.seq ?? 0).orderBy('seq').execute();
					return storedDoc(snap && { seq: snap.seq, data: asBytes(snap.data) }, rows.map((r) => ({ seq: r.seq, data: asBytes(r.data) })));
				});
		},

		async exists(doc) {
			const snap = await db.selectFrom('pad_snapshots').select('doc').where('doc', '=', doc).executeTakeFirst();
			if (snap) return true;
			return !!(await db.selectFrom('pad_updates').select('doc').where('doc', '=', doc).limit(1).executeTakeFirst());
		},

		/** One statement (one transaction); a row already there from a retried batch is skipped. */
		async append(rows) {
			failpoint('pad.store.append');
			if (rows.length === 0) return;
			const now = Date.now();
			await db
				.insertInto('pad_updates')
				.values(rows.map((r) => ({ doc: r.doc, seq: r.seq, data: asBuffer(r.data), created_at: now })))
				.onConflict((oc) => oc.columns(['doc', 'seq']).doNothing())
				.execute();
		},

		async compact(doc, state, uptoSeq) {
			const now = Date.now();
			await db.transaction().execute(async (trx) => {
				// Not while an update is being given its seq, nor while another instance folds.
				await trx.selectFrom('pad_heads').select('doc').where('doc', '=', doc).forUpdate().execute();
				await trx
					.insertInto('pad_snapshots')
					.values({ doc, seq: uptoSeq, data: asBuffer(state), updated_at: now })
					.onConflict((oc) => oc.column('doc').doUpdateSet({ seq: uptoSeq, data: asBuffer(state), updated_at: now }))
					.execute();
				failpoint('pad.store.compact');
				await trx.deleteFrom('pad_updates').where('doc', '=', doc).where('seq', '<=', uptoSeq).execute();
			});
		},

		async erase(docs) {
			if (docs.length === 0) return;
			await db.transaction().execute(async (trx) => {
				await trx.deleteFrom('pad_updates').where('doc', 'in', [...docs]).execute();
				await trx.deleteFrom('pad_snapshots').where('doc', 'in', [...docs]).execute();
				await trx.deleteFrom('pad_heads').where('doc', 'in', [...docs]).execute();
			});
		},

		async close() {}
	};
}
