import type { Migration } from '../migrate.ts';

/**
 * Session summaries (immutable, versioned, with the pad's final Yjs state),
 * the durable "this session is ending" job, and the mail queue that delivers
 * summaries with retries.
 */
export const summary: Migration = {
	name: '0002_summary',
	async up(db, t) {
		await db.schema
			.createTable('session_endings')
			.addColumn('session_id', 'text', (c) => c.primaryKey().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('reason', 'text', (c) => c.notNull())
			.addColumn('requested_by', 'text')
			.addColumn('requested_at', t.time, (c) => c.notNull())
			.addColumn('summary_id', 'text')
			.addColumn('completed_at', t.time)
			.execute();
		await db.schema
			.createTable('summaries')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('session_id', 'text', (c) => c.notNull().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('version', 'integer', (c) => c.notNull())
			.addColumn('reason', 'text', (c) => c.notNull())
			.addColumn('created_by', 'text')
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('correction_note', 'text')
			.addColumn('content', 'text', (c) => c.notNull())
			.addColumn('shared_state', t.bytes, (c) => c.notNull())
			.addColumn('private_state', t.bytes)
			// One version 1 per session, however many times ending is retried.
			.addUniqueConstraint('summaries_session_version', ['session_id', 'version'])
			.execute();
		await db.schema.createIndex('summaries_engagement').on('summaries').columns(['engagement_id', 'created_at']).execute();
		await db.schema
			.createTable('mail_jobs')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('subject_id', 'text', (c) => c.notNull())
			.addColumn('user_id', 'text', (c) => c.notNull())
			.addColumn('to_name', 'text', (c) => c.notNull())
			.addColumn('to_address', 'text', (c) => c.notNull())
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('attempts', 'integer', (c) => c.notNull())
			.addColumn('next_attempt_at', t.time, (c) => c.notNull())
			.addColumn('last_error', 'text')
			.addColumn('message_id', 'text', (c) => c.notNull())
			.addColumn('outbox_file', 'text')
			.addColumn('sent_at', t.time)
			.addColumn('created_at', t.time, (c) => c.notNull())
			// One message per recipient per summary version, even if queued twice.
			.addUniqueConstraint('mail_jobs_once', ['kind', 'subject_id', 'user_id'])
			.execute();
		await db.schema.createIndex('mail_jobs_due').on('mail_jobs').columns(['status', 'next_attempt_at']).execute();
		await db.schema.createIndex('mail_jobs_subject').on('mail_jobs').column('subject_id').execute();
	}
};
