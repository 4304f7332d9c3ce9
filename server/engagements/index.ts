/**
 * Engagements (a coach with one or more coachees, their goals and agreed
 * rhythm), their coaching sessions and invite links. Every read takes the
 * asking user and returns null when they are not a member, so callers answer
 * 404 without revealing that the thing exists.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { CoachingSessionRow, Database, EngagementKind, EngagementRole, EngagementRow } from '../store/index.ts';
import { engagementForm, invalidForm, scheduleSessionForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { generateToken, hashToken, newId } from '../auth/index.ts';
import { canAcceptInvite, inviteState, nextSessionNumber, scheduleAllowed } from './rules.ts';

export * as rules from './rules.ts';

export interface Member {
	userId: string;
	name: string;
	email: string;
	role: EngagementRole;
}

export interface EngagementView extends EngagementRow {
	role: EngagementRole;
	members: Member[];
	sessions: CoachingSessionRow[];
}

export interface SessionAccess {
	session: CoachingSessionRow;
	engagement: EngagementRow;
	role: EngagementRole;
	members: Member[];
}

export function createEngagements(db: Kysely<Database>) {
	async function roleOf(engagementId: string, userId: string): Promise<EngagementRole | undefined> {
		const row = await db
			.selectFrom('engagement_members')
			.select('role')
			.where('engagement_id', '=', engagementId)
			.where('user_id', '=', userId)
			.executeTakeFirst();
		return row?.role;
	}

	async function members(engagementId: string): Promise<Member[]> {
		const rows = await db
			.selectFrom('engagement_members')
			.innerJoin('users', 'users.id', 'engagement_members.user_id')
			.select(['users.id as userId', 'users.name', 'users.email', 'engagement_members.role', 'engagement_members.joined_at'])
			.where('engagement_id', '=', engagementId)
			.orderBy('engagement_members.joined_at')
			.execute();
		return rows.map(({ userId, name, email, role }) => ({ userId, name, email, role }));
	}

	return {
		roleOf,
		members,

		async create(coachId: string, input: unknown): Promise<Result<EngagementRow>> {
			const parsed = engagementForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const f = parsed.data;
			const now = Date.now();
			const row: EngagementRow = {
				id: newId(),
				kind: f.kind,
				title: f.title,
				goals: f.goals,
				planned_sessions: f.plannedSessions,
				frequency: f.frequency,
				created_by: coachId,
				created_at: now
			};
			await db.transaction().execute(async (trx) => {
				await trx.insertInto('engagements').values(row).execute();
				await trx.insertInto('engagement_members').values({ engagement_id: row.id, user_id: coachId, role: 'coach', joined_at: now }).execute();
			});
			return ok(row);
		},

		async listForUser(userId: string) {
			const rows = await db
				.selectFrom('engagement_members as m')
				.innerJoin('engagements as e', 'e.id', 'm.engagement_id')
				.selectAll('e')
				.select('m.role')
				.where('m.user_id', '=', userId)
				.orderBy('e.created_at', 'desc')
				.execute();
			return Promise.all(rows.map(async (r) => ({ ...r, members: await members(r.id) })));
		},

		/** Upcoming and live sessions across all of a user's engagements. */
		async upcomingForUser(userId: string, now = Date.now()) {
			return db
				.selectFrom('coaching_sessions as s')
				.innerJoin('engagement_members as m', 'm.engagement_id', 's.engagement_id')
				.innerJoin('engagements as e', 'e.id', 's.engagement_id')
				.selectAll('s')
				.select(['e.title as engagementTitle', 'e.planned_sessions as plannedSessions', 'm.role'])
				.where('m.user_id', '=', userId)
				.where((w) => w.or([w('s.status', '=', 'live'), w.and([w('s.status', '=', 'scheduled'), w('s.scheduled_at', '>=', now - 24 * 60 * 60_000)])]))
				.orderBy('s.scheduled_at')
				.limit(50)
				.execute();
		},

		async getForMember(engagementId: string, userId: string): Promise<EngagementView | null> {
			const role = await roleOf(engagementId, userId);
			if (!role) return null;
			const engagement = await db.selectFrom('engagements').selectAll().where('id', '=', engagementId).executeTakeFirstOrThrow();
			const sessions = await db
				.selectFrom('coaching_sessions')
				.selectAll()
				.where('engagement_id', '=', engagementId)
				.orderBy('number')
				.execute();
			return { ...engagement, role, members: await members(engagementId), sessions };
		},

		async scheduleSession(engagementId: string, userId: string, input: unknown): Promise<Result<CoachingSessionRow>> {
			const role = await roleOf(engagementId, userId);
			if (!role) return fail('not_found', 'No such engagement.');
			if (role !== 'coach') return fail('forbidden', 'Only the coach can schedule sessions.');
			const parsed = scheduleSessionForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const scheduledAt = Date.parse(parsed.data.scheduledAt);
			const allowed = scheduleAllowed(scheduledAt, Date.now());
			if (!allowed.ok) return allowed;
			return db.transaction().execute(async (trx) => {
				const numbers = await trx.selectFrom('coaching_sessions').select('number').where('engagement_id', '=', engagementId).execute();
				const row: CoachingSessionRow = {
					id: newId(),
					engagement_id: engagementId,
					number: nextSessionNumber(numbers.map((n) => n.number)),
					scheduled_at: scheduledAt,
					duration_minutes: parsed.data.durationMinutes,
					status: 'scheduled',
					started_at: null,
					ended_at: null,
					created_at: Date.now()
				};
				await trx.insertInto('coaching_sessions').values(row).execute();
				return ok(row);
			});
		},

		/** A new single-use invite link token; only its hash is stored. */
		async createInvite(engagementId: string, userId: string): Promise<Result<{ token: string; expiresAt: number }>> {
			const role = await roleOf(engagementId, userId);
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

		/** What an invite link shows before anyone signs in. */
		async describeInvite(token: string): Promise<Result<{ engagementId: string; title: string; kind: EngagementKind; coachName: string; expiresAt: number }>> {
			const invite = await db
				.selectFrom('invites as i')
				.innerJoin('engagements as e', 'e.id', 'i.engagement_id')
				.innerJoin('users as u', 'u.id', 'i.created_by')
				.select(['i.engagement_id', 'i.used_at', 'i.expires_at', 'e.title', 'e.kind', 'u.name as coachName'])
				.where('i.id', '=', hashToken(token))
				.executeTakeFirst();
			if (!invite) return fail('not_found', 'This invite link is not valid. Check that you copied all of it.');
			const state = inviteState(invite, Date.now());
			if (state === 'used') return fail('gone', 'This invite link has already been used. Ask your coach for a new one.');
			if (state === 'expired') return fail('gone', 'This invite link has expired. Ask your coach for a new one.');
			return ok({ engagementId: invite.engagement_id, title: invite.title, kind: invite.kind, coachName: invite.coachName, expiresAt: invite.expires_at });
		},

		async acceptInvite(token: string, userId: string): Promise<Result<{ engagementId: string }>> {
			const id = hashToken(token);
			return db.transaction().execute(async (trx) => {
				const invite = await trx.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
				if (!invite) return fail('not_found', 'This invite link is not valid. Check that you copied all of it.');
				const existing = await trx
					.selectFrom('engagement_members')
					.select('role')
					.where('engagement_id', '=', invite.engagement_id)
					.where('user_id', '=', userId)
					.executeTakeFirst();
				const now = Date.now();
				const decision = canAcceptInvite(inviteState(invite, now), existing?.role);
				if (!decision.ok) return decision;
				if (decision.value === 'join') {
					// The guarded update makes single use hold even for two tabs racing.
					const taken = await trx.updateTable('invites').set({ used_at: now, used_by: userId }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
					if (Number(taken.numUpdatedRows) !== 1) return fail('gone', 'This invite link has already been used. Ask your coach for a new one.');
					await trx.insertInto('engagement_members').values({ engagement_id: invite.engagement_id, user_id: userId, role: 'coachee', joined_at: now }).execute();
				}
				return ok({ engagementId: invite.engagement_id });
			});
		},

		/** The one membership check every live feature uses: null means "not for you". */
		async sessionAccess(sessionId: string, userId: string): Promise<SessionAccess | null> {
			const session = await db.selectFrom('coaching_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
			if (!session) return null;
			const role = await roleOf(session.engagement_id, userId);
			if (!role) return null;
			const engagement = await db.selectFrom('engagements').selectAll().where('id', '=', session.engagement_id).executeTakeFirstOrThrow();
			return { session, engagement, role, members: await members(session.engagement_id) };
		},

		async setSessionStatus(sessionId: string, status: 'live' | 'ended', at = Date.now()) {
			const patch = status === 'live' ? { status, started_at: at } : { status, ended_at: at };
			let q = db.updateTable('coaching_sessions').set(patch).where('id', '=', sessionId);
			// Going live only from scheduled keeps the first start time; ending is final.
			q = status === 'live' ? q.where('status', '=', 'scheduled') : q.where('status', '!=', 'ended');
			const r = await q.executeTakeFirst();
			return Number(r.numUpdatedRows) === 1;
		}
	};
}

export type Engagements = ReturnType<typeof createEngagements>;
