import type { Migration } from '../migrate.ts';

/**
 * Sponsors (the fundholder who asked for or pays for the coaching): their
 * single-use invite links, who sponsors which engagement, and the updates a
 * coach drafts for them, which reach a sponsor only once a coachee approved
 * them. Sponsors are not members of the engagement: nothing that checks
 * membership ever lets them in.
 */
export const sponsors: Migration = {
	name: '0010_sponsors',
	async up(db, t) {
		await db.schema
			.createTable('sponsor_links')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.addColumn('used_by', 'text', (c) => c.references('users.id'))
			.execute();
		await db.schema
			.createTable('engagement_sponsors')
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('joined_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('engagement_sponsors_pk', ['engagement_id', 'user_id'])
			.execute();
		await db.schema.createIndex('engagement_sponsors_user').on('engagement_sponsors').column('user_id').execute();
		await db.schema
			.createTable('sponsor_updates')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('drafted_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('draft_text', 'text', (c) => c.notNull())
			// awaiting -> approved | declined, decided by a coachee.
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('final_text', 'text')
			.addColumn('decided_by', 'text', (c) => c.references('users.id'))
			.addColumn('decided_at', t.time)
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('sponsor_updates_engagement').on('sponsor_updates').columns(['engagement_id', 'created_at']).execute();
	}
};
