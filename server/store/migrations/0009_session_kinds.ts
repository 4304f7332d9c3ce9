import type { Migration } from '../migrate.ts';

/**
 * Sessions have a kind: a contracted coaching session (numbered, counted
 * against the contract) or an introductory meeting (booked before the
 * contract is in force, never counted). Existing sessions are contracted ones.
 */
export const sessionKinds: Migration = {
	name: '0009_session_kinds',
	async up(db) {
		await db.schema.alterTable('coaching_sessions').addColumn('kind', 'text', (c) => c.notNull().defaultTo('session')).execute();
	}
};
