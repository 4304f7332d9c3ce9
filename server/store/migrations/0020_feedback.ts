import type { Migration } from '../migrate.ts';

/**
 * After each session: each person's feedback on it (the coachee's answers,
 * the coach's private reflection and note to the coachee, or "not this
 * time"), kept beside the summary, never in it; and goal progress, each goal
 * of the contract rated 0 to 10 by the coachee and the coach separately at a
 * moment (baseline, after a session, at close, at a follow-up).
 */
export const feedback: Migration = {
	name: '0020_feedback',
	async up(db, t) {
		await db.schema
			.createTable('session_feedback')
			.addColumn('session_id', 'text', (c) => c.notNull().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('role', 'text', (c) => c.notNull())
			// 'given' or 'declined' ("not this time"); either way no reminder is sent.
			.addColumn('state', 'text', (c) => c.notNull())
			.addColumn('usefulness', 'integer')
			.addColumn('helped', 'text', (c) => c.notNull())
			.addColumn('better', 'text', (c) => c.notNull())
			// The coach's own: read by nobody else.
			.addColumn('reflection', 'text', (c) => c.notNull())
			.addColumn('note_to_coachee', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('session_feedback_pk', ['session_id', 'user_id'])
			.execute();
		await db.schema
			.createTable('goal_ratings')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('rater_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('goal_id', 'text', (c) => c.notNull())
			.addColumn('moment', 'text', (c) => c.notNull())
			// The moment's key: 'session:<id>' after a session, else the moment itself; one rating per person, goal and point.
			.addColumn('point', 'text', (c) => c.notNull())
			.addColumn('session_id', 'text')
			.addColumn('contract_version', 'integer', (c) => c.notNull())
			.addColumn('score', 'integer', (c) => c.notNull())
			// Where it sits on the time axis: the session's end, else when first rated; an edit keeps it.
			.addColumn('at', t.time, (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.addUniqueConstraint('goal_ratings_once', ['engagement_id', 'rater_id', 'goal_id', 'point'])
			.execute();
		await db.schema.createIndex('goal_ratings_engagement').on('goal_ratings').columns(['engagement_id', 'at']).execute();
	}
};
