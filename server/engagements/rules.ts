/**
 * Pure rules of the coaching practice, kept apart from storage so they are
 * easy to read and to test.
 */
import type { EngagementRole, InviteRow, SessionKind, SessionStatus } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';

export type InviteState = 'usable' | 'used' | 'expired';

export function inviteState(invite: Pick<InviteRow, 'used_at' | 'expires_at'>, now: number): InviteState {
	if (invite.used_at !== null) return 'used';
	if (invite.expires_at <= now) return 'expired';
	return 'usable';
}

/** Whether `userId` may take this invite; the coach and existing members cannot. */
export function canAcceptInvite(
	state: InviteState,
	existingRole: EngagementRole | undefined
): Result<'join' | 'already-member'> {
	if (existingRole === 'coach') return fail('conflict', 'You are the coach of this engagement; send the link to your coachee.');
	if (existingRole === 'coachee') return ok('already-member');
	if (state === 'used') return fail('gone', 'This invite link has already been used. Ask your coach for a new one.');
	if (state === 'expired') return fail('gone', 'This invite link has expired. Ask your coach for a new one.');
	return ok('join');
}

/** Sessions are numbered 1, 2, 3... in the order they are scheduled. */
export function nextSessionNumber(existingNumbers: number[]): number {
	return existingNumbers.reduce((max, n) => Math.max(max, n), 0) + 1;
}

/**
 * Contracted sessions need a contract in force, and stop at its number of
 * sessions; an introductory meeting can be booked before, and is not counted,
 * nor is a three-way meeting with the sponsor (e.g. to agree the goals first).
 */
export function contractAllows(kind: SessionKind, contract: { version: number; sessions: number } | null, contracted: number): Result<true> {
	if (kind === 'introductory' || kind === 'three_way') return ok(true);
	if (!contract) {
		return fail('conflict', 'Coaching sessions can be scheduled once the contract is in force: draft it and have everyone accept it. An introductory meeting can be booked now.', 'kind');
	}
	if (contracted >= contract.sessions) {
		return fail('conflict', `The contract in force (version ${contract.version}) has ${contract.sessions} sessions, and all of them are scheduled or held. Amend the contract to add more.`, 'kind');
	}
	return ok(true);
}

export function scheduleAllowed(scheduledAt: number, now: number): Result<true> {
	// A few minutes of slack lets a coach schedule "now" for an impromptu session.
	if (scheduledAt < now - 10 * 60_000) return fail('invalid_input', 'Choose a time in the future.', 'scheduledAt');
	if (scheduledAt > now + 2 * 365 * 24 * 60 * 60_000) return fail('invalid_input', 'Choose a time within the next two years.', 'scheduledAt');
	return ok(true);
}

export { countsAgainstContract } from '../../shared/sessions.ts';

export type SessionChange = 'reschedule' | 'cancel';

/**
 * Whether a session may be moved or cancelled now, and whether that is late
 * (inside the contract's notice). A late change is allowed and recorded.
 */
export function changeAllowed(
	session: { status: SessionStatus; scheduled_at: number },
	change: SessionChange,
	now: number,
	noticeHours: number
): Result<{ late: boolean }> {
	if (session.status === 'cancelled') return fail('conflict', 'This session is already cancelled.');
	if (session.status === 'ended') return fail('conflict', `This session has ended; it can no longer be ${change === 'cancel' ? 'cancelled' : 'moved'}.`);
	if (session.status === 'live') return fail('conflict', `This session has started; it can no longer be ${change === 'cancel' ? 'cancelled' : 'moved'}.`);
	if (change === 'reschedule' && now >= session.scheduled_at) return fail('conflict', 'This session has already started; it can no longer be moved. Cancel it, or schedule a new one.');
	return ok({ late: session.scheduled_at - now < noticeHours * 60 * 60_000 });
}

/** A session's new time: in the future, within two years, and not the time it has. */
export function rescheduleAllowed(current: number, next: number, now: number): Result<true> {
	if (next < now) return fail('invalid_input', 'Choose a new time in the future.', 'scheduledAt');
	if (next === current) return fail('invalid_input', 'That is the time the session already has; choose another.', 'scheduledAt');
	return scheduleAllowed(next, now);
}
