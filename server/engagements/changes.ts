/**
 * Moving and cancelling a session, by the coach or a coachee. Each change
 * raises the session's SEQUENCE, records who made it, why and whether it came
 * inside the contract's notice, and queues everyone's updated invite (or the
 * cancellation) in the same transaction; the invite email tells the reason.
 */
import type { Kysely } from 'kysely';
import type { CoachingSessionRow, Database } from '../store/index.ts';
import { limits } from '../config/index.ts';
import { cancelSessionForm, invalidForm, rescheduleForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { ContractInForce, EngagementDeps, Engagements, SessionChangeResult } from './index.ts';
import type { MembershipQueries } from './membership.ts';
import { changeAllowed, rescheduleAllowed, type SessionChange } from './rules.ts';
import { queueInvites, withInstant } from './sessions.ts';

type ChangesPart = Pick<Engagements, 'rescheduleSession' | 'cancelSession'>;

const notMember = () => fail('not_found', 'No such session in your engagements.');

export function createChanges(db: Kysely<Database>, membership: Pick<MembershipQueries, 'membership' | 'members'>, contractInForce: ContractInForce, deps: EngagementDeps): ChangesPart {
	async function change(
		sessionId: string,
		userId: string,
		kind: SessionChange,
		patchFor: (session: CoachingSessionRow, now: number) => Result<Partial<CoachingSessionRow> & { change_reason: string }>
	): Promise<Result<SessionChangeResult>> {
		const m = await membership.membership(userId, { sessionId });
		if (!m?.session) return notMember();
		const session = m.session;
		const now = deps.now();
		const contract = await contractInForce(m.engagement.id);
		const noticeHours = contract?.noticeHours ?? limits.calendar.defaultNoticeHours;
		const allowed = changeAllowed(session, kind, now, noticeHours);
		if (!allowed.ok) return allowed;
		const patch = patchFor(session, now);
		if (!patch.ok) return patch;
		const late = allowed.value.late;
		const members = await membership.members(m.engagement.id);
		const updated = await db.transaction().execute(async (trx): Promise<Result<CoachingSessionRow>> => {
			const next: Partial<CoachingSessionRow> = { ...patch.value, sequence: session.sequence + 1, changed_by: userId, changed_at: now, late_change: late ? 1 : 0 };
			// Only from the state read above: two people changing it at once, one wins and the other is told.
			const r = await trx
				.updateTable('coaching_sessions')
				.set(next)
				.where('id', '=', session.id)
				.where('status', '=', 'scheduled')
				.where('sequence', '=', session.sequence)
				.executeTakeFirst();
			if (Number(r.numUpdatedRows) !== 1) return fail('conflict', 'Someone changed this session at the same moment; reload the page to see it and try again.');
			const row = { ...session, ...next };
			if (kind === 'cancel' && !late && session.kind === 'session') {
				// Its slot is free again: the booked sessions after it move up one number, so the next one booked is "n of N" again.
				await trx
					.updateTable('coaching_sessions')
					.set((eb) => ({ number: eb('number', '-', 1) }))
					.where('engagement_id', '=', session.engagement_id)
					.where('kind', '=', 'session')
					.where('status', '=', 'scheduled')
					.where('number', '>', session.number)
					.execute();
			}
			await queueInvites(deps, trx, row, members);
			// A moved session's reminders move with it (a cancelled one's are skipped when due).
			if (kind === 'reschedule') await deps.onScheduled?.(trx, [row], members.map((p) => p.userId));
			return ok(row);
		});
		if (!updated.ok) return updated;
		deps.mail?.kick();
		deps.log?.info({ session: session.id, change: kind, late, sequence: updated.value.sequence }, `session ${kind === 'cancel' ? 'cancelled' : 'moved'}`);
		return ok({ session: updated.value, late, noticeHours });
	}

	return {
		async rescheduleSession(sessionId, userId, input) {
			const zoneOf = () => deps.auth.userTimeZone(userId);
			const parsed = rescheduleForm.safeParse(await withInstant(input, zoneOf));
			if (!parsed.success) {
				// A stranger learns nothing from a form error: membership is checked first.
				if (!(await membership.membership(userId, { sessionId }))) return notMember();
				return invalidForm(parsed.error);
			}
			const at = Date.parse(parsed.data.scheduledAt);
			return change(sessionId, userId, 'reschedule', (s, now) => {
				const allowed = rescheduleAllowed(s.scheduled_at, at, now);
				return allowed.ok ? ok({ scheduled_at: at, change_reason: parsed.data.reason }) : allowed;
			});
		},

		async cancelSession(sessionId, userId, input) {
			const parsed = cancelSessionForm.safeParse(input);
			if (!parsed.success) {
				if (!(await membership.membership(userId, { sessionId }))) return notMember();
				return invalidForm(parsed.error);
			}
			return change(sessionId, userId, 'cancel', () => ok({ status: 'cancelled' as const, change_reason: parsed.data.reason }));
		}
	};
}
