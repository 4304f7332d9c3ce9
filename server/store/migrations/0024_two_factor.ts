import type { Migration } from '../migrate.ts';

/**
 * Two-factor sign-in (issue 17), owned by server/auth/second-factor:
 * - `totp_credentials`: one authenticator-app key per person; `confirmed_at`
 *   stays null until they typed a code from it (set-up can be abandoned),
 *   `last_step` is the last 30-second step accepted, so a code is never
 *   accepted twice.
 * - `recovery_codes`: ten single-use codes, stored as SHA-256 only.
 * - `passkeys`: WebAuthn credentials (COSE public key, signature counter).
 * - `pending_sign_ins`: a password (or reset link) was right and the second
 *   factor is awaited; the row grants nothing, only the token's hash is kept.
 * - `engagements.require_two_factor`: the coach asks every member to have it.
 */
export const twoFactor: Migration = {
	name: '0024_two_factor',
	async up(db, t) {
		await db.schema
			.createTable('totp_credentials')
			.addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
			.addColumn('key', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('confirmed_at', t.time)
			.addColumn('last_step', t.time, (c) => c.notNull().defaultTo(0))
			.execute();
		await db.schema
			.createTable('recovery_codes')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('code_hash', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.execute();
		await db.schema.createIndex('recovery_codes_user').on('recovery_codes').columns(['user_id', 'code_hash']).execute();
		await db.schema
			.createTable('passkeys')
			// The credential id, base64url.
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('name', 'text', (c) => c.notNull())
			.addColumn('algorithm', 'integer', (c) => c.notNull())
			// The COSE public key, base64.
			.addColumn('public_key', 'text', (c) => c.notNull())
			.addColumn('sign_count', t.time, (c) => c.notNull().defaultTo(0))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('last_used_at', t.time)
			.execute();
		await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();
		await db.schema
			.createTable('pending_sign_ins')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.alterTable('engagements').addColumn('require_two_factor', 'integer', (c) => c.notNull().defaultTo(0)).execute();
	}
};
