/** Coaching sessions: scheduling, their lifecycle, and the reads other features need. */
import type { Kysely } from 'kysely';
import type { CoachingSessionRow, Database } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm, scheduleSessionForm } from '../../shared/forms/index.ts';
import { fail, ok } from '../../shared/result.ts';
import type { ContractInForce, Engagements, HasSponsor } from './index.ts';
import type { MembershipQueries } from './membership.ts';
import { contractAllows, nextSessionNumber, scheduleAllowed } from './rules.ts';

type SessionsPart = Pick<Engagements, 'upcomingForUser' | 'scheduleSession' | 'sessionsOf' | 'nextScheduled' | 'liveSessionIds' | 'setSessionStatus' | 'sessionDates'>;

const DAY_MS = 24 * 60 * 60_000;

export function createSessions(db: Kysely<Database>, membership: Pick<MembershipQueries, 'roleOf'>, contractInForce: ContractInForce, hasSponsor: HasSponsor): SessionsPart {
	return {
		async upcomingForUser(userId, now = Date.now()) {
			return db
				.selectFrom('coaching_sessions as s')
				.innerJoin('engagement_members as m', 'm.engagement_id', 's.engagement_id')
				.innerJoin('engagements as e', 'e.id', 's.engagement_id')
				.selectAll('s')
				.select(['e.title as engagementTitle', 'e.planned_sessions as plannedSessions', 'm.role'])
				.where('m.user_id', '=', userId)
				// A session scheduled earlier today still shows, in case it runs late.
				.where((w) => w.or([w('s.status', '=', 'live'), w.and([w('s.status', '=', 'scheduled'), w('s.scheduled_at', '>=', now - DAY_MS)])]))
				.orderBy('s.scheduled_at')
				.limit(50)
				.execute();
		},

		async scheduleSession(engagementId, userId, input) {
			const role = await membership.roleOf(engagementId, userId);
			if (!role) return fail('not_found', 'No such engagement.');
			if (role !== 'coach') return fail('forbidden', 'Only the coach can schedule sessions.');
			const parsed = scheduleSessionForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const scheduledAt = Date.parse(parsed.data.scheduledAt);
			const allowed = scheduleAllowed(scheduledAt, Date.now());
			if (!allowed.ok) return allowed;
			const kind = parsed.data.kind;
			if (kind === 'three_way' && !(await hasSponsor(engagementId))) {
				return fail('conflict', 'A three-way meeting needs the sponsor: invite them with a sponsor link first.', 'kind');
			}
			const contract = kind === 'session' ? await contractInForce(engagementId) : null;
			return db.transaction().execute(async (trx) => {
				const contracted = await trx.selectFrom('coaching_sessions').select('number').where('engagement_id', '=', engagementId).where('kind', '=', 'session').execute();
				const allowed = contractAllows(kind, contract, contracted.length);
				if (!allowed.ok) return allowed;
				const row: CoachingSessionRow = {
					id: newId(),
					engagement_id: engagementId,
					kind,
					number: kind === 'session' ? nextSessionNumber(contracted.map((n) => n.number)) : 0,
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

		async sessionDates(engagementId) {
			const rows = await db.selectFrom('coaching_sessions').select(['id', 'kind', 'number', 'scheduled_at', 'status']).where('engagement_id', '=', engagementId).orderBy('scheduled_at').execute();
			return rows.map((r) => ({ id: r.id, kind: r.kind, number: r.number, scheduledAt: r.scheduled_at, status: r.status }));
		},

		sessionsOf: (engagementId) => db.selectFrom('coaching_sessions').selectAll().where('engagement_id', '=', engagementId).orderBy('number').execute(),

		async nextScheduled(engagementId, after) {
			const row = await db
				.selectFrom('coaching_sessions')
				.selectAll()
				.where('engagement_id', '=', engagementId)
				.where('status', '=', 'scheduled')
				.where('scheduled_at', '>', after)
				.orderBy('scheduled_at')
				.limit(1)
				.executeTakeFirst();
			return row ?? null;
		},

		async liveSessionIds() {
			const rows = await db.selectFrom('coaching_sessions').select('id').where('status', '=', 'live').execute();
			return rows.map((r) => r.id);
		},

		async setSessionStatus(sessionId, status, at = Date.now()) {
			const patch = status === 'live' ? { status, started_at: at } : { status, ended_at: at };
			let q = db.updateTable('coaching_sessions').set(patch).where('id', '=', sessionId);
			q = status === 'live' ? q.where('status', '=', 'scheduled') : q.where('status', '!=', 'ended');
			const r = await q.executeTakeFirst();
			return Number(r.numUpdatedRows) === 1;
		}
	};
}
