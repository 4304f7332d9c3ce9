/**
 * Reading accounts for other features: public details, time zones, who
 * confirmed their address. No secrets leave here (no password hash, no keys).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { settingsForm, invalidForm } from '../../shared/forms/index.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time.ts';
import { ok } from '../../shared/result.ts';
import type { Auth, User } from './index.ts';

export const publicUser = (u: { id: string; email: string; name: string; time_zone: string }): User => ({ id: u.id, email: u.email, name: u.name, timeZone: u.time_zone });

type PeopleQueries = Pick<Auth, 'unconfirmedAmong' | 'confirmedAmong' | 'usersByIds' | 'timeZonesOf' | 'userTimeZone' | 'setTimeZone'>;

export function people(db: Kysely<Database>): PeopleQueries {
	return {
		async unconfirmedAmong(userIds) {
			const ids = userIds.filter(Boolean);
			if (ids.length === 0) return new Set();
			const rows = await db.selectFrom('users').select('id').where('id', 'in', [...ids]).where('email_confirmed_at', 'is', null).execute();
			return new Set(rows.map((r) => r.id));
		},

		async confirmedAmong(userIds) {
			const ids = userIds.filter(Boolean);
			if (ids.length === 0) return new Set();
			const rows = await db.selectFrom('users').select('id').where('id', 'in', [...ids]).where('email_confirmed_at', 'is not', null).execute();
			return new Set(rows.map((r) => r.id));
		},

		async usersByIds(ids) {
			if (ids.length === 0) return [];
			const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'time_zone']).where('id', 'in', [...ids]).execute();
			return rows.map(publicUser);
		},
		async timeZonesOf(ids) {
			if (ids.length === 0) return new Map();
			const rows = await db.selectFrom('users').select(['id', 'time_zone']).where('id', 'in', [...ids]).execute();
			return new Map(rows.map((r) => [r.id, r.time_zone]));
		},

		async userTimeZone(userId) {
			const row = await db.selectFrom('users').select('time_zone').where('id', '=', userId).executeTakeFirst();
			return row && isTimeZone(row.time_zone) ? row.time_zone : DEFAULT_TIME_ZONE;
		},

		async setTimeZone(userId, input) {
			const parsed = settingsForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			await db.updateTable('users').set({ time_zone: parsed.data.timeZone }).where('id', '=', userId).execute();
			return ok({ timeZone: parsed.data.timeZone });
		}

	};
}
