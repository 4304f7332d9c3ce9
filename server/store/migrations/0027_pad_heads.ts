import { sql, type Migration } from '../migrate.ts';

/**
 * Several instances on one PostgreSQL database (issue 16): one head row per
 * pad document. An accepted update takes its `seq` from this row in the
 * same statement that stores it, so seq order is commit order with no gaps
 * and no duplicates whichever instance wrote it; `sealed_at` set means the
 * session ended and the row hands out no more seqs (the pad is read-only on
 * every instance). Compaction and carry-over lock the row. Created on SQLite
 * too, so both schemas stay alike; the single-process SQLite path does not use it.
 * Existing documents start at their highest stored seq.
 */
export const padHeads: Migration = {
	name: '0027_pad_heads',
	async up(db, t) {
		await db.schema
			.createTable('pad_heads')
			.addColumn('doc', 'text', (c) => c.primaryKey())
			.addColumn('seq', 'integer', (c) => c.notNull())
			.addColumn('sealed_at', t.time)
			.execute();
		await sql`INSERT INTO pad_heads (doc, seq)
			SELECT doc, MAX(seq) FROM (SELECT doc, seq FROM pad_updates UNION ALL SELECT doc, seq FROM pad_snapshots) AS known GROUP BY doc`.execute(db);
	}
};
