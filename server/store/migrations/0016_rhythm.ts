import type { Migration } from '../migrate.ts';

/**
 * The rhythm between sessions: durable scheduled jobs (reminders, nudges,
 * due-date emails), each person's reminder preferences, preparation for a
 * session, and updates to actions made between sessions.
 */
export const rhythm: Migration = {
	name: '0016_rhythm',
	async up(db, t) {
		// One row per job; (kind, subject) is unique so scheduling the same thing twice keeps one job.
		await db.schema
			.createTable('scheduled_jobs')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('subject', 'text', (c) => c.notNull())
			.addColumn('run_at', t.time, (c) => c.notNull())
			// pending -> running -> done | failed; a running row whose lease ran out is pending again.
			.addColumn('state', 'text', (c) => c.notNull())
			.addColumn('attempts', 'integer', (c) => c.notNull())
			.addColumn('lease_until', t.time)
			.addColumn('last_error', 'text')
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('done_at', t.time)
			.addUniqueConstraint('scheduled_jobs_once', ['kind', 'subject'])
			.execute();
		await db.schema.createIndex('scheduled_jobs_due').on('scheduled_jobs').columns(['state', 'run_at']).execute();
		// Minutes before a session each person wants a reminder; JSON array, [] = none.
		await db.schema
			.createTable('reminder_preferences')
			.addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
			.addColumn('offsets', 'text', (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
		// A person's preparation for a session: the coachee's (shown to the coach as the agenda) or the coach's private note.
		await db.schema
			.createTable('session_preparations')
			.addColumn('session_id', 'text', (c) => c.notNull().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('want', 'text', (c) => c.notNull())
			// JSON array of { actionId, text, status, comment }.
			.addColumn('actions', 'text', (c) => c.notNull())
			.addColumn('for_coach', 'text', (c) => c.notNull())
			.addColumn('private_note', 'text', (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('session_preparations_pk', ['session_id', 'user_id'])
			.execute();
		// Status changes and comments on actions made between sessions, merged into the next "From last time".
		await db.schema
			.createTable('action_updates')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('action_id', 'text', (c) => c.notNull())
			.addColumn('from_session_id', 'text', (c) => c.notNull())
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('comment', 'text', (c) => c.notNull())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('action_updates_engagement').on('action_updates').columns(['engagement_id', 'created_at']).execute();
	}
};
