/** Coaching sessions: scheduling, their lifecycle, and the reads other features need. */
import type { Kysely } from 'kysely';
import type { CoachingSessionRow, Database } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm, scheduleSessionForm, type ScheduleSessionForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { ContractInForce, Engagements, OnScheduled } from './index.ts';
import type { MembershipQueries } from './membership.ts';
import { contractAllows, nextSessionNumber, scheduleAllowed } from './rules.ts';

type SessionsPart = Pick<Engagements, 'upcomingForUser' | 'scheduleSession' | 'scheduleSeries' | 'sessionsOf' | 'nextScheduled' | 'liveSessionIds' | 'setSessionStatus' | 'sessionDates'>;

const DAY_MS = 24 * 60 * 60_000;

export function createSessions(db: Kysely<Database>, membership: Pick<MembershipQueries, 'roleOf'>, contractInForce: ContractInForce, onScheduled: OnScheduled = async () => {}): SessionsPart {
	/**
	 * The one way sessions are created: the coach's check, each time's rule,
	 * the contract's count, then every row in one transaction, with
	 * `onScheduled` (reminders, invites) inside it so nothing is half done.
	 */
	async function schedule(engagementId: string, userId: string, inputs: unknown[]): Promise<Result<CoachingSessionRow[]>> {
		const role = await membership.roleOf(engagementId, userId);
		if (!role) return fail('not_found', 'No such engagement.');
		if (role !== 'coach') return fail('forbidden', 'Only the coach can schedule sessions.');
		if (inputs.length === 0) return fail('invalid_input', 'Choose at least one date.', 'scheduledAt');
		const parsedAll: (Omit<ScheduleSessionForm, 'scheduledAt'> & { scheduledAt: number })[] = [];
		for (const input of inputs) {
			const parsed = scheduleSessionForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const scheduledAt = Date.parse(parsed.data.scheduledAt);
			const allowed = scheduleAllowed(scheduledAt, Date.now());
			if (!allowed.ok) return inputs.length > 1 ? fail(allowed.error.code, `${parsed.data.scheduledAt}: ${allowed.error.message}`, allowed.error.field) : allowed;
			parsedAll.push({ ...parsed.data, scheduledAt });
		}
		const contract = parsedAll.some((p) => p.kind === 'session') ? await contractInForce(engagementId) : null;
		return db.transaction().execute(async (trx) => {
			const contracted = await trx.selectFrom('coaching_sessions').select('number').where('engagement_id', '=', engagementId).where('kind', '=', 'session').execute();
			const numbers = contracted.map((n) => n.number);
			const wanted = parsedAll.filter((p) => p.kind === 'session').length;
			if (wanted > 0) {
				const allowed = contractAllows('session', contract, contracted.length + wanted - 1);
				if (!allowed.ok) {
					if (!contract || wanted === 1) return allowed;
					const left = Math.max(0, contract.sessions - contracted.length);
					return fail('conflict', `The contract in force (version ${contract.version}) has ${contract.sessions} sessions and ${contracted.length} are scheduled or held, so ${left === 0 ? 'no more' : `at most ${left} more`} can be scheduled; you asked for ${wanted}. Amend the contract to add more.`, 'kind');
				}
			}
			const rows: CoachingSessionRow[] = [];
			for (const p of [...parsedAll].sort((a, b) => a.scheduledAt - b.scheduledAt)) {
				const number = p.kind === 'session' ? nextSessionNumber(numbers) : 0;
				if (p.kind === 'session') numbers.push(number);
				rows.push({
					id: newId(),
					engagement_id: engagementId,
					kind: p.kind,
					number,
					scheduled_at: p.scheduledAt,
					duration_minutes: p.durationMinutes,
					status: 'scheduled',
					started_at: null,
					ended_at: null,
					created_at: Date.now()
				});
			}
			await trx.insertInto('coaching_sessions').values(rows).execute();
			const members = await trx.selectFrom('engagement_members').select('user_id').where('engagement_id', '=', engagementId).execute();
			await onScheduled(trx, rows, members.map((m) => m.user_id));
			return ok(rows);
		});
	}

	return {
		async scheduleSeries(engagementId, userId, inputs) {
			return schedule(engagementId, userId, inputs);
		},

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
			const r = await schedule(engagementId, userId, [input]);
			return r.ok ? ok(r.value[0]!) : r;
		},

		async sessionDates(engagementId) {
			const rows = await db.selectFrom('coaching_sessions').select(['kind', 'number', 'scheduled_at', 'status']).where('engagement_id', '=', engagementId).orderBy('scheduled_at').execute();
			return rows.map((r) => ({ kind: r.kind, number: r.number, scheduledAt: r.scheduled_at, status: r.status }));
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
