import type { Migration } from '../migrate.ts';

/**
 * Each person's IANA time zone (e.g. Europe/London), so every time on a page or
 * in an email is shown as the reader's own wall time. Existing accounts start
 * on UTC until they choose; sign-up asks the browser.
 */
export const timeZones: Migration = {
	name: '0012_time_zones',
	async up(db) {
		await db.schema.alterTable('users').addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC')).execute();
	}
};
