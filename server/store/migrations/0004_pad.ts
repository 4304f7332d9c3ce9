import type { Migration } from '../migrate.ts';

/**
 * The agreed-actions pad: an append-only log of Yjs updates per document and
 * one compacted snapshot per document. `seq` orders a document's updates;
 * the snapshot holds everything up to its `seq`.
 */
export const pad: Migration = {
	name: '0004_pad',
	async up(db, t) {
		await db.schema
			.createTable('pad_updates')
			.addColumn('doc', 'text', (c) => c.notNull())
			.addColumn('seq', 'integer', (c) => c.notNull())
			.addColumn('data', t.bytes, (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('pad_updates_pk', ['doc', 'seq'])
			.execute();
		await db.schema
			.createTable('pad_snapshots')
			.addColumn('doc', 'text', (c) => c.primaryKey())
			.addColumn('seq', 'integer', (c) => c.notNull())
			.addColumn('data', t.bytes, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
	}
};
