import type { Migration } from '../migrate.ts';

/**
 * Jobs and endings across instances (issue 16). A mail being sent and an
 * ending being completed carry a lease (who holds it, until when), so another
 * instance takes them over only once the holder is gone, never while it
 * works. `session_vacancies` is the durable "empty since" auto-end reads: a
 * live session nobody is in, written when the last person leaves, removed
 * when someone joins, whichever instance they are on.
 */
export const clusterJobs: Migration = {
	name: '0029_cluster_jobs',
	async up(db, t) {
		for (const table of ['mail_jobs', 'session_endings']) {
			await db.schema.alterTable(table).addColumn('lease_owner', 'text').execute();
			await db.schema.alterTable(table).addColumn('lease_until', t.time).execute();
		}
		await db.schema
			.createTable('session_vacancies')
			.addColumn('session_id', 'text', (c) => c.primaryKey().references('coaching_sessions.id').onDelete('cascade'))
			.addColumn('empty_since', t.time, (c) => c.notNull())
			.execute();
	}
};
