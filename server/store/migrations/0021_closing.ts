import type { Migration } from '../migrate.ts';

/**
 * Closing an engagement (issue 14, part 2): the closing itself (proposed by
 * one side and agreed by the other, or closed by the coach), each person's
 * final evaluation, the report as it was stored for sending (once, by a
 * durable job), and the follow-up answers months later. server/closing owns
 * these tables.
 */
export const closing: Migration = {
	name: '0021_closing',
	async up(db, t) {
		await db.schema
			.createTable('engagement_closings')
			.addColumn('engagement_id', 'text', (c) => c.primaryKey().references('engagements.id').onDelete('cascade'))
			// proposed -> closed; a declined proposal is deleted (the engagement is open again).
			.addColumn('state', 'text', (c) => c.notNull())
			.addColumn('reason', 'text', (c) => c.notNull())
			.addColumn('note', 'text', (c) => c.notNull())
			.addColumn('follow_up_months', 'integer', (c) => c.notNull())
			.addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('proposed_at', t.time, (c) => c.notNull())
			.addColumn('closed_by', 'text', (c) => c.references('users.id'))
			.addColumn('closed_at', t.time)
			.addColumn('follow_up_at', t.time)
			// The sponsor's version of the report, drafted as a sponsor update for the coachee to approve.
			.addColumn('sponsor_update_id', 'text')
			.execute();
		await db.schema
			.createTable('closing_evaluations')
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('role', 'text', (c) => c.notNull())
			// JSON: the four ratings and the comment both sides read.
			.addColumn('answers', 'text', (c) => c.notNull())
			// The coach's own reflection: the coach's copy only (empty for a coachee).
			.addColumn('reflection', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('closing_evaluations_pk', ['engagement_id', 'user_id'])
			.execute();
		await db.schema
			.createTable('engagement_reports')
			.addColumn('engagement_id', 'text', (c) => c.primaryKey().references('engagements.id').onDelete('cascade'))
			// JSON of the full report (the coach's copy); each recipient's copy is cut from it when sent.
			.addColumn('content', 'text', (c) => c.notNull())
			// complete (everyone evaluated) | timeout (the days after close ran out)
			.addColumn('trigger', 'text', (c) => c.notNull())
			.addColumn('stored_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createTable('closing_follow_ups')
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('lasted', 'text', (c) => c.notNull())
			.addColumn('notes', 'text', (c) => c.notNull())
			.addColumn('answered_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('closing_follow_ups_pk', ['engagement_id', 'user_id'])
			.execute();
	}
};
