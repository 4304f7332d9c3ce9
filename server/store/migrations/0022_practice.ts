import type { Migration } from '../migrate.ts';

/**
 * The coach's practice: how each engagement goes into the coach's log of
 * hours (paid or pro bono, the client's organisation) and the coach's
 * supervision notes per engagement. Both are the coach's alone; the hours
 * themselves are read from the sessions held, never stored twice.
 */
export const practice: Migration = {
	name: '0022_practice',
	async up(db, t) {
		await db.schema
			.createTable('practice_engagements')
			.addColumn('engagement_id', 'text', (c) => c.primaryKey().references('engagements.id').onDelete('cascade'))
			.addColumn('coach_id', 'text', (c) => c.notNull().references('users.id'))
			// 'paid' or 'pro_bono', as credentialing logs count them apart.
			.addColumn('funding', 'text', (c) => c.notNull())
			.addColumn('organisation', 'text', (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createTable('supervision_notes')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('coach_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('body', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('supervision_notes_engagement').on('supervision_notes').columns(['engagement_id', 'created_at']).execute();
	}
};
