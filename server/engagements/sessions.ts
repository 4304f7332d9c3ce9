/**
 * Coaching sessions: scheduling, their lifecycle, and the reads other features
 * need. Every session is created here (one at a time or a series), and each
 * creation queues its calendar invites in the same transaction; moving and
 * cancelling are in changes.ts beside this file.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CoachingSessionRow, Database } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm, scheduleSessionForm, type ScheduleSessionForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { wallTimeToInstant } from '../../shared/time.ts';
import type { ContractInForce, Engagements, EngagementDeps, Member } from './index.ts';
import type { MembershipQueries } from './membership.ts';
import { contractAllows, countsAgainstContract, nextSessionNumber, scheduleAllowed } from './rules.ts';

type SessionsPart = Pick<
	Engagements,
	'upcomingForUser' | 'scheduleSession' | 'scheduleSeries' | 'sessionsOf' | 'nextScheduled' | 'liveSessionIds' | 'setSessionStatus' | 'sessionDates' | 'calendarSessionsFor'
>;

const DAY_MS = 24 * 60 * 60_000;

/** The mail job of one invite: its subject names the session and the SEQUENCE it announces. */
export const inviteSubject = (sessionId: string, sequence: number): string => `${sessionId}:${sequence}`;

export function parseInviteSubject(subject: string): { sessionId: string; sequence: number } | null {
	const m = /^(.+):(\d+)$/.exec(subject);
	return m ? { sessionId: m[1]!, sequence: Number(m[2]) } : null;
}

/** Queues each member's invite (or update, or cancellation) for the session as it now is. */
export async function queueInvites(deps: Pick<EngagementDeps, 'mail'>, trx: Transaction<Database>, session: Pick<CoachingSessionRow, 'id' | 'sequence'>, members: Member[]): Promise<void> {
	if (!deps.mail) return;
	await deps.mail.enqueue(
		trx,
		members.map((m) => ({ kind: 'session_invite' as const, subjectId: inviteSubject(session.id, session.sequence), userId: m.userId, toName: m.name, toAddress: m.email }))
	);
}

/**
 * A picker's wall time (`scheduledAtLocal`, "2026-03-29T10:00") is read in
 * the person's own zone on the server, so a page without scripts books the
 * same instant as one with them; an ISO instant (`scheduledAt`) is taken as is.
 */
export async function withInstant(input: unknown, zoneOf: () => Promise<string>): Promise<unknown> {
	if (!input || typeof input !== 'object') return input;
	const local = (input as { scheduledAtLocal?: unknown }).scheduledAtLocal;
	if (typeof local !== 'string' || local.trim() === '') return input;
	const at = wallTimeToInstant(local, await zoneOf());
	return { ...input, scheduledAt: at === null ? 'not a time' : new Date(at).toISOString() };
}

export function createSessions(
	db: Kysely<Database>,
	membership: Pick<MembershipQueries, 'roleOf' | 'members'>,
	contractInForce: ContractInForce,
	deps: EngagementDeps
): SessionsPart {
	const now = deps.now;

	async function parseAll(userId: string, inputs: unknown[]): Promise<Result<ScheduleSessionForm[]>> {
		const out: ScheduleSessionForm[] = [];
		for (const input of inputs) {
			const parsed = scheduleSessionForm.safeParse(await withInstant(input, () => deps.auth.userTimeZone(userId)));
			if (!parsed.success) return invalidForm(parsed.error);
			const allowed = scheduleAllowed(Date.parse(parsed.data.scheduledAt), now());
			if (!allowed.ok) return inputs.length > 1 ? fail(allowed.error.code, `${parsed.data.scheduledAt}: ${allowed.error.message}`, allowed.error.field) : allowed;
			out.push(parsed.data);
		}
		return ok(out);
	}

	async function schedule(engagementId: string, userId: string, inputs: unknown[]): Promise<Result<CoachingSessionRow[]>> {
		const role = await membership.roleOf(engagementId, userId);
		if (!role) return fail('not_found', 'No such engagement.');
		if (role !== 'coach') return fail('forbidden', 'Only the coach can schedule sessions.');
		if (await deps.isClosed?.(engagementId)) return fail('conflict', 'This engagement is closed; no more sessions can be booked. Start a new engagement to coach again.');
		if (inputs.length === 0) return fail('invalid_input', 'Choose at least one date.');
		const parsed = await parseAll(userId, inputs);
		if (!parsed.ok) return parsed;
		if (parsed.value.some((f) => f.kind === 'three_way') && !(await deps.hasSponsor(engagementId))) {
			return fail('conflict', 'A three-way meeting needs the sponsor: invite them with a sponsor link first.', 'kind');
		}
		const contract = parsed.value.some((f) => f.kind === 'session') ? await contractInForce(engagementId) : null;
		// Read before the transaction: on SQLite a second connection inside it would wait for it.
		const members = await membership.members(engagementId);
		const created = await db.transaction().execute(async (trx): Promise<Result<CoachingSessionRow[]>> => {
			const existing = await trx.selectFrom('coaching_sessions').select(['kind', 'number', 'status', 'late_change']).where('engagement_id', '=', engagementId).execute();
			const counted = existing.filter(countsAgainstContract).map((s) => s.number);
			const wanted = parsed.value.filter((f) => f.kind === 'session').length;
			if (wanted > 1 && contract && !contractAllows('session', contract, counted.length + wanted - 1).ok) {
				const left = Math.max(0, contract.sessions - counted.length);
				return fail('conflict', `The contract in force (version ${contract.version}) has ${contract.sessions} sessions and ${counted.length} are scheduled or held, so ${left === 0 ? 'no more' : `at most ${left} more`} can be scheduled; you asked for ${wanted}. Amend the contract to add more.`, 'kind');
			}
			const rows: CoachingSessionRow[] = [];
			for (const f of [...parsed.value].sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt))) {
				const allowed = contractAllows(f.kind, contract, counted.length);
				if (!allowed.ok) return allowed;
				const number = f.kind === 'session' ? nextSessionNumber(counted) : 0;
				if (f.kind === 'session') counted.push(number);
				rows.push({
					id: newId(),
					engagement_id: engagementId,
					kind: f.kind,
					number,
					scheduled_at: Date.parse(f.scheduledAt),
					duration_minutes: f.durationMinutes,
					status: 'scheduled',
					started_at: null,
					ended_at: null,
					created_at: now(),
					sequence: 0,
					changed_by: null,
					change_reason: null,
					changed_at: null,
					late_change: 0
				});
			}
			for (const row of rows) {
				await trx.insertInto('coaching_sessions').values(row).execute();
				await queueInvites(deps, trx, row, members);
			}
			await deps.onScheduled?.(trx, rows, members.map((m) => m.userId));
			return ok(rows);
		});
		if (created.ok) deps.mail?.kick();
		return created;
	}

	return {
		async upcomingForUser(userId, at = now()) {
			return db
				.selectFrom('coaching_sessions as s')
				.innerJoin('engagement_members as m', 'm.engagement_id', 's.engagement_id')
				.innerJoin('engagements as e', 'e.id', 's.engagement_id')
				.selectAll('s')
				.select(['e.title as engagementTitle', 'e.planned_sessions as plannedSessions', 'm.role'])
				.where('m.user_id', '=', userId)
				// A session scheduled earlier today still shows, in case it runs late.
				.where((w) => w.or([w('s.status', '=', 'live'), w.and([w('s.status', '=', 'scheduled'), w('s.scheduled_at', '>=', at - DAY_MS)])]))
				.orderBy('s.scheduled_at')
				.limit(50)
				.execute();
		},

		async scheduleSession(engagementId, userId, input) {
			const r = await schedule(engagementId, userId, [input]);
			return r.ok ? ok(r.value[0]!) : r;
		},

		scheduleSeries: (engagementId, userId, inputs) => schedule(engagementId, userId, inputs),

		async calendarSessionsFor(userId, since, limit) {
			return db
				.selectFrom('coaching_sessions as s')
				.innerJoin('engagement_members as m', 'm.engagement_id', 's.engagement_id')
				.innerJoin('engagements as e', 'e.id', 's.engagement_id')
				.selectAll('s')
				.select(['e.title as engagementTitle', 'e.kind as engagementKind', 'e.planned_sessions as plannedSessions', 'm.role'])
				.where('m.user_id', '=', userId)
				.where('s.scheduled_at', '>=', since)
				.orderBy('s.scheduled_at')
				.limit(limit)
				.execute();
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

		async setSessionStatus(sessionId, status, at = now()) {
			const patch = status === 'live' ? { status, started_at: at } : { status, ended_at: at };
			let q = db.updateTable('coaching_sessions').set(patch).where('id', '=', sessionId);
			// A cancelled session never goes live or ends.
			q = status === 'live' ? q.where('status', '=', 'scheduled') : q.where('status', 'in', ['scheduled', 'live']);
			const r = await q.executeTakeFirst();
			return Number(r.numUpdatedRows) === 1;
		}
	};
}
