import type { Migration } from '../migrate.ts';

/**
 * Each summary version's copies (coach, coachee) as rendered once when the
 * version is recorded: pages and emails read them instead of rendering
 * people's Markdown again on every view and for every recipient. Versions
 * recorded before this have none; they are rendered on first read.
 */
export const summaryRenderings: Migration = {
	name: '0006_summary_renderings',
	async up(db, t) {
		await db.schema
			.createTable('summary_renderings')
			.addColumn('summary_id', 'text', (c) => c.notNull().references('summaries.id').onDelete('cascade'))
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('markdown', 'text', (c) => c.notNull())
			.addColumn('html', 'text', (c) => c.notNull())
			.addColumn('notes_html', 'text', (c) => c.notNull())
			.addColumn('private_notes_html', 'text')
			.addColumn('shown', 'text', (c) => c.notNull())
			.addColumn('rendered_with', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('summary_renderings_pk', ['summary_id', 'role'])
			.execute();
	}
};
