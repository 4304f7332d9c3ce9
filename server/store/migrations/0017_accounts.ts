import type { Migration } from '../migrate.ts';

/**
 * Accounts people can trust (issue 17):
 * - `users.email_confirmed_at`: mail to a person waits until they have shown
 *   the address is theirs. Accounts from before this migration never were,
 *   so they start unconfirmed: their mail is held until they confirm.
 * - `auth_sessions` learn when they started, were last seen, from which
 *   browser and address, for the devices page.
 * - `account_tokens`: single-use, expiring links sent by email (finishing a
 *   sign-up, confirming an address, resetting a password); only the token's
 *   SHA-256 is stored.
 * - `audit_events`: security events of an account, readable by its owner.
 */
export const accounts: Migration = {
	name: '0017_accounts',
	async up(db, t) {
		await db.schema.alterTable('users').addColumn('email_confirmed_at', t.time).execute();
		await db.schema.alterTable('auth_sessions').addColumn('created_at', t.time, (c) => c.notNull().defaultTo(0)).execute();
		await db.schema.alterTable('auth_sessions').addColumn('last_seen_at', t.time, (c) => c.notNull().defaultTo(0)).execute();
		await db.schema.alterTable('auth_sessions').addColumn('user_agent', 'text', (c) => c.notNull().defaultTo('')).execute();
		await db.schema.alterTable('auth_sessions').addColumn('address', 'text', (c) => c.notNull().defaultTo('')).execute();
		await db.schema
			.createTable('account_tokens')
			.addColumn('id', 'text', (c) => c.primaryKey())
			// 'signup' | 'confirm' | 'reset'
			.addColumn('purpose', 'text', (c) => c.notNull())
			.addColumn('email', 'text', (c) => c.notNull())
			.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
			// A pending sign-up's name, password hash and time zone (JSON); null otherwise.
			.addColumn('payload', 'text')
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.execute();
		await db.schema.createIndex('account_tokens_user').on('account_tokens').columns(['user_id', 'purpose']).execute();
		await db.schema
			.createTable('audit_events')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('at', t.time, (c) => c.notNull())
			.addColumn('address', 'text', (c) => c.notNull())
			.addColumn('user_agent', 'text', (c) => c.notNull())
			// JSON with what else the event needs (e.g. the engagement of a role change).
			.addColumn('detail', 'text', (c) => c.notNull())
			.execute();
		await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_id', 'at']).execute();
	}
};
