/** The second factor's part of erasure (server/yourdata/registry.ts): TOTP keys, recovery codes, passkeys, sign-ins waiting for a second factor. None is exported (NOT_EXPORTED says why). */
import type { TableGroup } from '../../yourdata/registry.ts';

export const secondFactorGroup: TableGroup = {
	name: 'two-factor sign-in',
	exports: [],
	erases: ['totp_credentials', 'recovery_codes', 'passkeys', 'pending_sign_ins'],
	sees: 'Nobody: the authenticator key, the recovery codes and the passkeys are secrets or keys for signing in, not records about you (your settings page lists your passkeys and whether two-factor sign-in is on).',

	async export() {
		return [];
	},

	async eraseEngagement() {},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('pending_sign_ins').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('recovery_codes').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('passkeys').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('totp_credentials').where('user_id', '=', person.id).execute();
	}
};
