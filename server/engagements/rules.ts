/**
 * Pure rules of the coaching practice, kept apart from storage so they are
 * easy to read and to test.
 */
import type { EngagementRole, InviteRow } from '../store/index.ts';
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

/** "Session 3 of 6" when a number was agreed in contracting, else "Session 3". */
export function sessionLabel(number: number, planned: number | null): string {
	return planned ? `Session ${number} of ${planned}` : `Session ${number}`;
}

export function scheduleAllowed(scheduledAt: number, now: number): Result<true> {
	// A few minutes of slack lets a coach schedule "now" for an impromptu session.
	if (scheduledAt < now - 10 * 60_000) return fail('invalid_input', 'Choose a time in the future.', 'scheduledAt');
	if (scheduledAt > now + 2 * 365 * 24 * 60 * 60_000) return fail('invalid_input', 'Choose a time within the next two years.', 'scheduledAt');
	return ok(true);
}
