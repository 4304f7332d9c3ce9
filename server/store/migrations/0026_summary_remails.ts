import type { Migration } from '../migrate.ts';

/**
 * When a corrected summary version was emailed to everyone, so corrections
 * can re-mail a summary only a few times a day (limits.summary.correctionMails).
 * Null for versions that were not emailed (and for the first version, which
 * goes out when the session ends).
 */
export const summaryRemails: Migration = {
	name: '0026_summary_remails',
	async up(db, t) {
		await db.schema.alterTable('summaries').addColumn('mailed_again_at', t.time).execute();
	}
};
