import { sql, type Migration } from '../migrate.ts';

/**
 * On SQLite, keeps each document's updates together on disk: the table
 * becomes WITHOUT ROWID, clustered by its (doc, seq) key. An append then
 * dirties one page instead of two, and a compaction deletes a run of
 * neighbouring rows instead of rows scattered among every other document's
 * (2,000 rows: about 0.5 ms instead of about 19 ms, on the main thread).
 * PostgreSQL keeps its table as it is.
 */
export const padUpdatesClustered: Migration = {
	name: '0005_pad_updates_clustered',
	async up(db, t) {
		if (t.kind !== 'sqlite') return;
		await sql`CREATE TABLE pad_updates_clustered (
			doc TEXT NOT NULL,
			seq INTEGER NOT NULL,
			data BLOB NOT NULL,
			created_at INTEGER NOT NULL,
			PRIMARY KEY (doc, seq)
		) WITHOUT ROWID`.execute(db);
		await sql`INSERT INTO pad_updates_clustered (doc, seq, data, created_at) SELECT doc, seq, data, created_at FROM pad_updates`.execute(db);
		await sql`DROP TABLE pad_updates`.execute(db);
		await sql`ALTER TABLE pad_updates_clustered RENAME TO pad_updates`.execute(db);
	}
};
