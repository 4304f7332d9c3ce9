/** The account's part of export and erasure (server/yourdata/registry.ts): profile, devices, the audit log, single-use links. */
import { hashPassword } from './passwords.ts';
import { generateToken } from './tokens.ts';
import { FORMER, scrub, type TableGroup } from '../yourdata/registry.ts';
import { fileSlug } from '../../shared/slug.ts';

export const accountGroup: TableGroup = {
	name: 'account',
	exports: ['users', 'auth_sessions', 'audit_events'],
	erases: ['users', 'auth_sessions', 'account_tokens', 'audit_events'],
	sees: 'Everyone: their own account, the devices signed in and the activity log.',

	async export({ db, person }) {
		const user = await db.selectFrom('users').select(['id', 'name', 'email', 'time_zone', 'created_at', 'email_confirmed_at']).where('id', '=', person.id).executeTakeFirstOrThrow();
		const devices = await db.selectFrom('auth_sessions').select(['created_at', 'last_seen_at', 'expires_at', 'user_agent', 'address']).where('user_id', '=', person.id).execute();
		const activity = await db.selectFrom('audit_events').select(['kind', 'at', 'address', 'user_agent', 'detail']).where('user_id', '=', person.id).orderBy('at').execute();
		return [
			{ path: 'account/account.json', json: user },
			{ path: 'account/devices.json', json: devices },
			{ path: 'account/activity.json', json: activity.map((a) => ({ ...a, detail: JSON.parse(a.detail) as unknown })) }
		];
	},

	async eraseEngagement({ trx, engagement }) {
		// The accounts stay; an activity entry naming the engagement (joining it, a summary downloaded as "<title>-session-1.md") keeps that it happened.
		if (engagement.memberIds.length === 0) return;
		const words = [engagement.title, fileSlug(engagement.title)];
		const events = await trx.selectFrom('audit_events').select(['id', 'detail']).where('user_id', 'in', engagement.memberIds).execute();
		for (const e of events) {
			const detail = scrub(e.detail, words, 'erased-engagement');
			if (detail !== e.detail) await trx.updateTable('audit_events').set({ detail }).where('id', '=', e.id).execute();
		}
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('auth_sessions').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('account_tokens').where((eb) => eb.or([eb('user_id', '=', person.id), eb('email', '=', person.email)])).execute();
		await trx.deleteFrom('audit_events').where('user_id', '=', person.id).execute();
		// The row stays for the other party's records; nothing in it is the person's any more, and no password opens it.
		await trx
			.updateTable('users')
			.set({ name: FORMER, email: `erased-${person.id}@erased.invalid`, password_hash: await hashPassword(generateToken()), time_zone: 'UTC', email_confirmed_at: null, erased_at: Date.now() })
			.where('id', '=', person.id)
			.execute();
	}
};
