import type { Migration } from '../migrate.ts';

/**
 * A session's calendar life: its SEQUENCE (raised by each change, so calendar
 * apps replace the invite they hold), who last moved or cancelled it and why,
 * whether that came inside the contract's notice, and each person's private
 * calendar feed (only the SHA-256 of its secret token is kept).
 */
export const calendar: Migration = {
	name: '0015_calendar',
	async up(db, t) {
		await db.schema
			.alterTable('coaching_sessions')
			.addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
			.execute();
		await db.schema.alterTable('coaching_sessions').addColumn('changed_by', 'text').execute();
		await db.schema.alterTable('coaching_sessions').addColumn('change_reason', 'text').execute();
		await db.schema.alterTable('coaching_sessions').addColumn('changed_at', t.time).execute();
		// 1 when the last move or the cancellation came inside the contract's notice.
		await db.schema.alterTable('coaching_sessions').addColumn('late_change', 'integer', (c) => c.notNull().defaultTo(0)).execute();
		await db.schema
			.createTable('calendar_feeds')
			.addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
			.addColumn('token_hash', 'text', (c) => c.notNull().unique())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
	}
};
