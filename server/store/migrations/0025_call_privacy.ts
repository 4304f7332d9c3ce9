import type { Migration } from '../migrate.ts';

/**
 * Call privacy per engagement (issue 18): the coach can require end-to-end
 * encrypted calls. A row of its own rather than a column on `engagements`,
 * so the feature stays in its own table; no row means not required.
 */
export const callPrivacy: Migration = {
	name: '0025_call_privacy',
	async up(db, t) {
		await db.schema
			.createTable('engagement_call_privacy')
			.addColumn('engagement_id', 'text', (c) => c.primaryKey().references('engagements.id').onDelete('cascade'))
			// 1: everyone in this engagement's calls must encrypt end to end; 0: encrypted when all can.
			.addColumn('require_e2ee', 'integer', (c) => c.notNull().defaultTo(0))
			.addColumn('changed_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('changed_at', t.time, (c) => c.notNull())
			.execute();
	}
};
