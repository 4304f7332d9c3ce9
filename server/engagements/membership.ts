/**
 * Who belongs to which engagement, and the engagement records themselves.
 * `roleOf` is the only query of a person's role; every check goes through it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CoachingSessionRow, Database, EngagementRole, EngagementRow } from '../store/index.ts';
import type { Auth } from '../auth/index.ts';
import { newId } from '../auth/index.ts';
import { engagementForm, invalidForm } from '../../shared/forms/index.ts';
import { ok } from '../../shared/result.ts';
import type { Engagements, Member, MembershipOf, SessionAccess } from './index.ts';

type MembershipPart = Pick<Engagements, 'membership' | 'members' | 'create' | 'listForUser' | 'getForMember' | 'sessionRecord'>;

export interface MembershipQueries extends MembershipPart {
	/** `within` runs the check inside a caller's transaction. */
	roleOf(engagementId: string, userId: string, within?: Kysely<Database>): Promise<EngagementRole | undefined>;
	/** Membership of a session; index.ts adds whether the coach's two-factor requirement keeps the person out. */
	sessionAccess(sessionId: string, userId: string): Promise<Omit<SessionAccess, 'twoFactorMissing'> | null>;
}

export function createMembership(db: Kysely<Database>, auth: Pick<Auth, 'usersByIds'>): MembershipQueries {
	async function roleOf(engagementId: string, userId: string, within = db): Promise<EngagementRole | undefined> {
		const row = await within
			.selectFrom('engagement_members')
			.select('role')
			.where('engagement_id', '=', engagementId)
			.where('user_id', '=', userId)
			.executeTakeFirst();
		return row?.role;
	}

	async function members(engagementId: string): Promise<Member[]> {
		const rows = await db.selectFrom('engagement_members').select(['user_id', 'role']).where('engagement_id', '=', engagementId).orderBy('joined_at').execute();
		const users = new Map((await auth.usersByIds(rows.map((r) => r.user_id))).map((u) => [u.id, u]));
		return rows.flatMap((r) => {
			const u = users.get(r.user_id);
			return u ? [{ userId: u.id, name: u.name, email: u.email, role: r.role }] : [];
		});
	}

	const engagement = (id: string): Promise<EngagementRow> => db.selectFrom('engagements').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
	const session = (id: string): Promise<CoachingSessionRow | undefined> => db.selectFrom('coaching_sessions').selectAll().where('id', '=', id).executeTakeFirst();

	async function membership(userId: string, of: MembershipOf) {
		const found = 'sessionId' in of ? await session(of.sessionId) : null;
		const engagementId = 'engagementId' in of ? of.engagementId : found?.engagement_id;
		if (!engagementId) return null;
		const role = await roleOf(engagementId, userId);
		if (!role) return null;
		return { role, engagement: await engagement(engagementId), session: found ?? null };
	}

	return {
		roleOf,
		members,
		membership,

		async sessionAccess(sessionId, userId) {
			const m = await membership(userId, { sessionId });
			if (!m?.session) return null;
			return { session: m.session, engagement: m.engagement, role: m.role, members: await members(m.engagement.id) };
		},

		async sessionRecord(sessionId) {
			const s = await session(sessionId);
			return s ? { session: s, engagement: await engagement(s.engagement_id) } : null;
		},

		async create(coachId, input, within) {
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
			const insert = async (trx: Transaction<Database>) => {
				await trx.insertInto('engagements').values(row).execute();
				await trx.insertInto('engagement_members').values({ engagement_id: row.id, user_id: coachId, role: 'coach', joined_at: now }).execute();
			};
			if (within) await insert(within);
			else await db.transaction().execute(insert);
			return ok(row);
		},

		async listForUser(userId) {
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

		async getForMember(engagementId, userId) {
			const m = await membership(userId, { engagementId });
			if (!m) return null;
			const sessions = await db.selectFrom('coaching_sessions').selectAll().where('engagement_id', '=', engagementId).orderBy('number').execute();
			return { ...m.engagement, role: m.role, members: await members(engagementId), sessions };
		}
	};
}
