import { describe, expect, it } from 'vitest';
import { canAcceptInvite, inviteState, nextSessionNumber, scheduleAllowed, sessionLabel } from '../../server/engagements/rules.ts';

const now = 1_800_000_000_000;

describe('invites', () => {
	it('are usable until used or expired', () => {
		expect(inviteState({ used_at: null, expires_at: now + 1 }, now)).toBe('usable');
		expect(inviteState({ used_at: null, expires_at: now }, now)).toBe('expired');
		expect(inviteState({ used_at: now - 5, expires_at: now + 1000 }, now)).toBe('used');
	});

	it('let a newcomer join once, and tell the coach and members what is going on', () => {
		expect(canAcceptInvite('usable', undefined)).toEqual({ ok: true, value: 'join' });
		expect(canAcceptInvite('used', undefined)).toMatchObject({ ok: false, error: { code: 'gone', message: expect.stringMatching(/already been used/) } });
		expect(canAcceptInvite('expired', undefined)).toMatchObject({ ok: false, error: { code: 'gone', message: expect.stringMatching(/expired/) } });
		expect(canAcceptInvite('usable', 'coach')).toMatchObject({ ok: false, error: { code: 'conflict' } });
		// A coachee who clicks the link again is simply taken to the engagement.
		expect(canAcceptInvite('used', 'coachee')).toEqual({ ok: true, value: 'already-member' });
	});
});

describe('sessions', () => {
	it('are numbered after the highest existing number', () => {
		expect(nextSessionNumber([])).toBe(1);
		expect(nextSessionNumber([1, 2, 3])).toBe(4);
		expect(nextSessionNumber([2, 5, 3])).toBe(6);
	});

	it('are labelled n of m when a number was agreed', () => {
		expect(sessionLabel(3, 6)).toBe('Session 3 of 6');
		expect(sessionLabel(3, null)).toBe('Session 3');
	});

	it('are scheduled in the future (with slack for "now") and within two years', () => {
		expect(scheduleAllowed(now + 60_000, now).ok).toBe(true);
		expect(scheduleAllowed(now - 5 * 60_000, now).ok).toBe(true);
		expect(scheduleAllowed(now - 60 * 60_000, now)).toMatchObject({ ok: false, error: { field: 'scheduledAt' } });
		expect(scheduleAllowed(now + 3 * 365 * 24 * 3600_000, now).ok).toBe(false);
	});
});
