/** Invite links: single use, time-limited, only the token's hash stored. */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import type { Auth } from '../auth/index.ts';
import { generateToken, hashToken } from '../auth/index.ts';
import { fail, ok } from '../../shared/result.ts';
import type { Engagements } from './index.ts';
import type { MembershipQueries } from './membership.ts';
import { canAcceptInvite, inviteState } from './rules.ts';

type InvitesPart = Pick<Engagements, 'createInvite' | 'describeInvite' | 'acceptInvite'>;

const NOT_VALID = 'This invite link is not valid. Check that you copied all of it.';
const USED = 'This invite link has already been used. Ask your coach for a new one.';

export function createInvites(db: Kysely<Database>, membership: Pick<MembershipQueries, 'roleOf'>, auth: Pick<Auth, 'usersByIds'> & Partial<Pick<Auth, 'record'>>): InvitesPart {
	return {
		async createInvite(engagementId, userId) {
			const role = await membership.roleOf(engagementId, userId);
			if (!role) return fail('not_found', 'No such engagement.');
			if (role !== 'coach') return fail('forbidden', 'Only the coach can invite people.');
			const token = generateToken();
			const now = Date.now();
			const expiresAt = now + limits.invites.lifetimeMs;
			await db
				.insertInto('invites')
				.values({ id: hashToken(token), engagement_id: engagementId, created_by: userId, created_at: now, expires_at: expiresAt, used_at: null, used_by: null })
				.execute();
			return ok({ token, expiresAt });
		},

		async describeInvite(token) {
			const invite = await db
				.selectFrom('invites as i')
				.innerJoin('engagements as e', 'e.id', 'i.engagement_id')
				.select(['i.engagement_id', 'i.created_by', 'i.used_at', 'i.expires_at', 'e.title', 'e.kind'])
				.where('i.id', '=', hashToken(token))
				.executeTakeFirst();
			const [coach] = invite ? await auth.usersByIds([invite.created_by]) : [];
			if (!invite || !coach) return fail('not_found', NOT_VALID);
			const state = inviteState(invite, Date.now());
			if (state === 'used') return fail('gone', USED);
			if (state === 'expired') return fail('gone', 'This invite link has expired. Ask your coach for a new one.');
			return ok({ engagementId: invite.engagement_id, title: invite.title, kind: invite.kind, coachName: coach.name, expiresAt: invite.expires_at });
		},

		async acceptInvite(token, userId) {
			const id = hashToken(token);
			const joined = { title: '' };
			const result = await db.transaction().execute(async (trx) => {
				const invite = await trx.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
				if (!invite) return fail('not_found', NOT_VALID);
				// Checked inside the transaction, so the decision and the insert see the same rows.
				const existing = await membership.roleOf(invite.engagement_id, userId, trx);
				const now = Date.now();
				const decision = canAcceptInvite(inviteState(invite, now), existing);
				if (!decision.ok) return decision;
				if (decision.value === 'join') {
					// The guarded update makes single use hold even for two tabs racing.
					const taken = await trx.updateTable('invites').set({ used_at: now, used_by: userId }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
					if (Number(taken.numUpdatedRows) !== 1) return fail('gone', USED);
					await trx.insertInto('engagement_members').values({ engagement_id: invite.engagement_id, user_id: userId, role: 'coachee', joined_at: now }).execute();
					joined.title = (await trx.selectFrom('engagements').select('title').where('id', '=', invite.engagement_id).executeTakeFirst())?.title ?? invite.engagement_id;
				}
				return ok({ engagementId: invite.engagement_id });
			});
			// After the transaction commits (SQLite: never another query inside it): the person's audit log.
			if (result.ok && joined.title) await auth.record?.(userId, 'role_changed', undefined, { role: 'coachee', engagement: joined.title });
			return result;
		}
	};
}
