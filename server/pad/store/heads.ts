/**
 * The head-row operations of the pad store on PostgreSQL (migration 0027),
 * what lets several instances share one database. Each accepted update takes
 * its seq from the document's head row in the statement that stores it; a
 * sealed head hands out none. Compaction and carry-over hold the row's lock
 * and read from the database, so no instance folds from its own memory.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import * as Y from 'yjs';
import type { Database } from '../../store/index.ts';
import { failpoint } from '../../failpoints/index.ts';
import { storedDoc, type PadHeads, type StoredDoc } from './types.ts';

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asBytes = (v: Uint8Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

// The highest seq already stored for a document without a head row yet (rows written before 0027 or by plain append).
const knownSeq = (doc: unknown) => sql<number>`GREATEST(
	COALESCE((SELECT MAX(u.seq) FROM pad_updates u WHERE u.doc = ${doc}), 0),
	COALESCE((SELECT s.seq FROM pad_snapshots s WHERE s.doc = ${doc}), 0))`;

/** Positions 1..n of each row within its document's rows of the batch, in batch order. */
function ordinals(rows: readonly { doc: string }[]): number[] {
	const seen = new Map<string, number>();
	return rows.map((r) => {
		const n = (seen.get(r.doc) ?? 0) + 1;
		seen.set(r.doc, n);
		return n;
	});
}

/** Reads one document under its head row's lock (which it creates if missing); the row's seq and whether it is sealed. */
async function lockHead(trx: Transaction<Database>, doc: string): Promise<{ seq: number; sealed: boolean }> {
	await sql`INSERT INTO pad_heads (doc, seq) VALUES (${doc}, ${knownSeq(doc)}) ON CONFLICT (doc) DO NOTHING`.execute(trx);
	const head = await trx.selectFrom('pad_heads').select(['seq', 'sealed_at']).where('doc', '=', doc).forUpdate().executeTakeFirstOrThrow();
	return { seq: head.seq, sealed: head.sealed_at !== null };
}

async function loadIn(trx: Transaction<Database>, doc: string, after = 0): Promise<{ snapshot: { seq: number; data: Uint8Array } | undefined; rows: { seq: number; data: Uint8Array }[] }> {
	const snap = await trx.selectFrom('pad_snapshots').select(['seq', 'data']).where('doc', '=', doc).executeTakeFirst();
	const snapshot = snap && snap.seq > after ? { seq: snap.seq, data: asBytes(snap.data) } : undefined;
	const from = Math.max(after, snap?.seq ?? 0);
	const rows = await trx.selectFrom('pad_updates').select(['seq', 'data']).where('doc', '=', doc).where('seq', '>', from).orderBy('seq').execute();
	return { snapshot, rows: rows.map((r) => ({ seq: r.seq, data: asBytes(r.data) })) };
}

/** One Y.Doc's state from a snapshot and updates (garbage collected, unlike a merge of the updates). */
function fold(parts: Uint8Array[]): Uint8Array {
	const doc = new Y.Doc({ gc: true });
	try {
		doc.transact(() => {
			for (const p of parts) Y.applyUpdate(doc, p);
		});
		return Y.encodeStateAsUpdate(doc);
	} finally {
		doc.destroy();
	}
}

export function postgresHeads(db: Kysely<Database>): PadHeads {
	return {
		/**
		 * One statement, so one transaction and one round trip for the whole
		 * batch (any documents): the head rows are bumped in document order (no
		 * deadlock between instances) and the updates stored with the seqs they
		 * hand out. A sealed head returns no row, so its updates are not stored.
		 * A retry after a lost commit acknowledgement stores the update again
		 * under a new seq: harmless, applying a Yjs update twice changes nothing.
		 */
		async append(rows) {
			failpoint('pad.store.append');
			if (rows.length === 0) return [];
			const ords = ordinals(rows);
			const result = await sql<{ doc: string; seq: number }>`
				WITH input AS (
					SELECT * FROM unnest(${rows.map((r) => r.doc)}::text[], ${ords}::int[], ${rows.map((r) => asBuffer(r.data))}::bytea[]) AS i(doc, ord, data)
				), counts AS (
					SELECT doc, COUNT(*)::int AS n FROM input GROUP BY doc
				), heads AS (
					INSERT INTO pad_heads AS h (doc, seq)
					SELECT c.doc, c.n + ${knownSeq(sql.ref('c.doc'))} FROM counts c ORDER BY c.doc
					ON CONFLICT (doc) DO UPDATE SET seq = h.seq + (SELECT n FROM counts WHERE counts.doc = EXCLUDED.doc) WHERE h.sealed_at IS NULL
					RETURNING h.doc, h.seq
				)
				INSERT INTO pad_updates (doc, seq, data, created_at)
				SELECT i.doc, heads.seq - c.n + i.ord, i.data, ${Date.now()}
				FROM input i JOIN counts c ON c.doc = i.doc JOIN heads ON heads.doc = i.doc
				RETURNING doc, seq`.execute(db);
			const byDoc = new Map<string, number[]>();
			for (const r of result.rows) byDoc.set(r.doc, [...(byDoc.get(r.doc) ?? []), r.seq]);
			for (const seqs of byDoc.values()) seqs.sort((a, b) => a - b);
			return rows.map((r, i) => byDoc.get(r.doc)?.[ords[i]! - 1] ?? null);
		},

		/** What a reader behind on a document is missing: the snapshot when it covers more than `after`, then the updates after both. */
		readAfter(doc, after) {
			return db
				.transaction()
				.setIsolationLevel('repeatable read')
				.execute(async (trx) => {
					const { snapshot, rows } = await loadIn(trx, doc, after);
					const head = await trx.selectFrom('pad_heads').select('sealed_at').where('doc', '=', doc).executeTakeFirst();
					return { snapshot: snapshot ?? null, updates: rows, sealed: !!head?.sealed_at };
				});
		},

		async heads(docs) {
			const found = new Map<string, { seq: number; sealed: boolean }>();
			if (docs.length === 0) return found;
			const rows = await db.selectFrom('pad_heads').select(['doc', 'seq', 'sealed_at']).where('doc', 'in', [...docs]).execute();
			for (const r of rows) found.set(r.doc, { seq: r.seq, sealed: r.sealed_at !== null });
			return found;
		},

		/** The documents stop handing out seqs; an update committing at the same moment is ordered before it by the row lock. */
		async seal(docs) {
			if (docs.length === 0) return;
			const now = Date.now();
			await sql`INSERT INTO pad_heads AS h (doc, seq, sealed_at)
				SELECT d.doc, ${knownSeq(sql.ref('d.doc'))}, ${now} FROM unnest(${[...docs].sort()}::text[]) AS d(doc)
				ON CONFLICT (doc) DO UPDATE SET sealed_at = COALESCE(h.sealed_at, EXCLUDED.sealed_at)`.execute(db);
		},

		/** Folds exactly the rows up to `uptoSeq` that are in the database into the snapshot, under the head's lock. */
		fold(doc, uptoSeq) {
			return db.transaction().execute(async (trx) => {
				await lockHead(trx, doc);
				const { snapshot, rows } = await loadIn(trx, doc);
				const folded = rows.filter((r) => r.seq <= uptoSeq);
				if (folded.length === 0) return null;
				const seq = folded.at(-1)!.seq;
				const state = fold([...(snapshot ? [snapshot.data] : []), ...folded.map((r) => r.data)]);
				await trx
					.insertInto('pad_snapshots')
					.values({ doc, seq, data: asBuffer(state), updated_at: Date.now() })
					.onConflict((oc) => oc.column('doc').doUpdateSet({ seq, data: asBuffer(state), updated_at: Date.now() }))
					.execute();
				failpoint('pad.store.compact');
				await trx.deleteFrom('pad_updates').where('doc', '=', doc).where('seq', '<=', seq).execute();
				return { seq, bytes: state.length };
			});
		},

		/**
		 * Runs `change` on the stored document under its head row's lock and
		 * stores the update it returns as the next seq, in one transaction: a
		 * second instance doing the same waits, then sees the first one's
		 * change (carry-over runs once). Nothing is stored on a sealed head.
		 */
		underLock(doc, change) {
			return db.transaction().execute(async (trx) => {
				const head = await lockHead(trx, doc);
				const { snapshot, rows } = await loadIn(trx, doc);
				const before: StoredDoc = storedDoc(snapshot, rows);
				const update = head.sealed ? null : await change(before);
				if (!update) return { stored: before, seq: null };
				const seq = head.seq + 1;
				await trx.updateTable('pad_heads').set({ seq }).where('doc', '=', doc).execute();
				await trx.insertInto('pad_updates').values({ doc, seq, data: asBuffer(update), created_at: Date.now() }).execute();
				return { stored: storedDoc(snapshot, [...rows, { seq, data: update }]), seq };
			});
		}
	};
}
