import type { Migration } from '../migrate.ts';

/**
 * Your data (issue 14, part 4):
 * - `users.erased_at`: when the person deleted their account. The row stays,
 *   anonymised ("A former participant", no address, no usable password), so
 *   the other party's records (a summary, the coach's hours) stay consistent.
 * - `engagement_erasures`: erasing an engagement's content by agreement. One
 *   member proposes; every member has to agree (`agreed`, JSON array of user
 *   ids); `erased_at` is set in the transaction that erases. It holds no text.
 */
export const yourData: Migration = {
	name: '0023_your_data',
	async up(db, t) {
		await db.schema.alterTable('users').addColumn('erased_at', t.time).execute();
		await db.schema
			.createTable('engagement_erasures')
			.addColumn('engagement_id', 'text', (c) => c.primaryKey().references('engagements.id').onDelete('cascade'))
			.addColumn('proposed_by', 'text', (c) => c.notNull())
			.addColumn('proposed_at', t.time, (c) => c.notNull())
			.addColumn('agreed', 'text', (c) => c.notNull())
			.addColumn('erased_at', t.time)
			.execute();
	}
};
