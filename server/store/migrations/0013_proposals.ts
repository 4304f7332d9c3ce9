import type { Migration } from '../migrate.ts';

/**
 * Scoping, before the work is taken on ("Do I want this work?"): a coach's
 * proposal to a prospective coachee and/or sponsor, the single-purpose
 * scoping links that let them answer the scoping questions without an
 * account (only the token's hash is stored), and the coach's decision: take
 * it on (an engagement is created from it) or decline with a courteous email.
 * The mail queue also keeps what each message said (subject and text), so the
 * Mailbox can list every kind of email, not only summaries.
 */
export const proposals: Migration = {
	name: '0013_proposals',
	async up(db, t) {
		await db.schema
			.createTable('proposals')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('coach_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('title', 'text', (c) => c.notNull())
			// What is asked for, in the coach's words.
			.addColumn('request', 'text', (c) => c.notNull())
			.addColumn('prospect_name', 'text', (c) => c.notNull())
			.addColumn('prospect_email', 'text', (c) => c.notNull())
			.addColumn('sponsor_name', 'text', (c) => c.notNull())
			.addColumn('sponsor_email', 'text', (c) => c.notNull())
			// JSON array of the coach's own questions, asked after the standard ones.
			.addColumn('coach_questions', 'text', (c) => c.notNull())
			// open -> answered -> taken | declined (a decision can also come before any answer).
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('answers', 'text')
			.addColumn('answered_at', t.time)
			.addColumn('decided_at', t.time)
			.addColumn('decision_note', 'text')
			.addColumn('decline_message', 'text')
			.addColumn('engagement_id', 'text', (c) => c.references('engagements.id').onDelete('set null'))
			// Where the coach used the app, for links in emails when ORIGIN is not configured.
			.addColumn('origin', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('proposals_coach').on('proposals').columns(['coach_id', 'created_at']).execute();
		await db.schema.createIndex('proposals_engagement').on('proposals').column('engagement_id').execute();
		await db.schema
			.createTable('scoping_links')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('proposal_id', 'text', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.execute();
		await db.schema.createIndex('scoping_links_proposal').on('scoping_links').column('proposal_id').execute();
		await db.schema.alterTable('mail_jobs').addColumn('subject', 'text').execute();
		await db.schema.alterTable('mail_jobs').addColumn('preview', 'text').execute();
	}
};
