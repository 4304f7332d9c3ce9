import type { Migration } from '../migrate.ts';

/**
 * Referrals: when an issue is outside the coaching remit, the coach may
 * propose referring the coachee elsewhere, only with the coachee's approval
 * after a documented discussion. The wording stays the coach's; the
 * coachee sees the proposal and records their decision.
 */
export const referrals: Migration = {
	name: '0011_referrals',
	async up(db, t) {
		await db.schema
			.createTable('referrals')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('coachee_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
			// The coach's own wording of the issue outside the remit: never shown to anyone else.
			.addColumn('issue_note', 'text', (c) => c.notNull())
			.addColumn('refer_to', 'text', (c) => c.notNull())
			.addColumn('reason', 'text', (c) => c.notNull())
			// The calendar date the coach and coachee discussed it (YYYY-MM-DD).
			.addColumn('discussed_on', 'text', (c) => c.notNull())
			// proposed -> approved -> referred; proposed -> declined | withdrawn.
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('decided_at', t.time)
			.addColumn('referred_at', t.time)
			.execute();
		await db.schema.createIndex('referrals_engagement').on('referrals').columns(['engagement_id', 'created_at']).execute();
	}
};
