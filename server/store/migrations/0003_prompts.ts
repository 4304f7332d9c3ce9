import type { Migration } from '../migrate.ts';

/**
 * The coach's prompt panel: a coach's own prompts and favourites (kept per
 * coach, across engagements) and the prompts marked as asked in a session,
 * snapshotted so the session's history survives later edits.
 */
export const prompts: Migration = {
	name: '0003_prompts',
	async up(db, t) {
		await db.schema
			.createTable('custom_prompts')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('coach_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('text', 'text', (c) => c.notNull())
			// The text as duplicates are judged (case and spacing ignored), unique per coach.
			.addColumn('text_key', 'text', (c) => c.notNull())
			.addColumn('phase', 'text', (c) => c.notNull())
			// JSON array of theme names.
			.addColumn('themes', 'text', (c) => c.notNull())
			.addColumn('mentoring', 'text')
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('custom_prompts_coach_text').on('custom_prompts').columns(['coach_id', 'text_key']).unique().execute();
		await db.schema
			.createTable('prompt_favourites')
			.addColumn('coach_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('prompt_id', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('prompt_favourites_pk', ['coach_id', 'prompt_id'])
			.execute();
		await db.schema
			.createTable('session_prompts_asked')
			.addColumn('session_id', 'text', (c) => c.notNull().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('prompt_id', 'text', (c) => c.notNull())
			.addColumn('text', 'text', (c) => c.notNull())
			.addColumn('phase', 'text', (c) => c.notNull())
			.addColumn('asked_at', t.time, (c) => c.notNull())
			.addColumn('asked_by', 'text', (c) => c.notNull().references('users.id'))
			.addPrimaryKeyConstraint('session_prompts_asked_pk', ['session_id', 'prompt_id'])
			.execute();
		await db.schema.createIndex('session_prompts_asked_order').on('session_prompts_asked').columns(['session_id', 'asked_at']).execute();
	}
};
