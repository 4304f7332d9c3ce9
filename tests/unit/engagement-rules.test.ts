import { describe, expect, it } from 'vitest';
import { canAcceptInvite, contractAllows, inviteState, nextSessionNumber, scheduleAllowed } from '../../server/engagements/rules.ts';
import { sessionName } from '../../shared/sessions.ts';

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
		expect(sessionName({ number: 3 }, 6)).toBe('Session 3 of 6');
		expect(sessionName({ number: 3 }, null)).toBe('Session 3');
		expect(sessionName({ kind: 'introductory', number: 0 }, 6)).toBe('Introductory meeting');
	});

	it('are scheduled in the future (with slack for "now") and within two years', () => {
		expect(scheduleAllowed(now + 60_000, now).ok).toBe(true);
		expect(scheduleAllowed(now - 5 * 60_000, now).ok).toBe(true);
		expect(scheduleAllowed(now - 60 * 60_000, now)).toMatchObject({ ok: false, error: { field: 'scheduledAt' } });
		expect(scheduleAllowed(now + 3 * 365 * 24 * 3600_000, now).ok).toBe(false);
	});
});

describe('sessions and the contract', () => {
	const code = (r: ReturnType<typeof contractAllows>) => (r.ok ? 'ok' : r.error.code);
	it('books an introductory meeting before any contract, contracted sessions only while one is in force and up to its number', () => {
		expect(code(contractAllows('introductory', null, 0))).toBe('ok');
		expect(code(contractAllows('session', null, 0))).toBe('conflict');
		expect(code(contractAllows('session', { version: 2, sessions: 6 }, 5))).toBe('ok');
		const full = contractAllows('session', { version: 2, sessions: 6 }, 6);
		expect(!full.ok && full.error.message).toMatch(/version 2\) has 6 sessions/);
	});
});
