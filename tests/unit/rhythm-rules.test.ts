/**
 * The rhythm's pure rules: the rhythm at a glance (held against planned,
 * what counts as booked, when the next session is due and when the rhythm
 * has slipped, each in the reader's zone), overdue and due actions, and how
 * the coachee's preparation steers "Suggested now".
 */
import { describe, expect, it } from 'vitest';
import { isDue, isOverdue, rhythmAtAGlance, type RhythmSession } from '../../server/rhythm/rules.ts';
import { withPreparation, type AgendaItem } from '../../shared/rhythm/index.ts';
import type { PhaseSuggestion } from '../../shared/prompts/timing.ts';

const at = (iso: string) => Date.parse(iso);
let n = 0;
const session = (iso: string, status: RhythmSession['status'], kind: RhythmSession['kind'] = 'session'): RhythmSession => ({ id: `s${n++}`, kind, scheduledAt: at(iso), status, endedAt: status === 'ended' ? at(iso) + 3_600_000 : null });
const weekly = { planned: 6, frequency: 'weekly' as const };

describe('the rhythm at a glance', () => {
	it('counts held contracted sessions against the plan; an introductory session is not one of them', () => {
		const g = rhythmAtAGlance([session('2026-11-01T10:00Z', 'ended', 'introductory'), session('2026-11-03T10:00Z', 'ended'), session('2026-11-10T10:00Z', 'ended')], weekly, at('2026-11-12T12:00Z'), 'Europe/London');
		expect(g).toMatchObject({ planned: 6, held: 2, booked: 0, nextBooked: null, nextDue: '2026-11-17', behind: false, frequency: 'weekly' });
	});

	it('books only what is still to come (a scheduled session a day past its time no longer counts), the soonest first', () => {
		const sessions = [session('2026-11-03T10:00Z', 'ended'), session('2026-11-24T10:00Z', 'scheduled'), session('2026-11-17T10:00Z', 'scheduled'), session('2026-11-05T10:00Z', 'scheduled')];
		const g = rhythmAtAGlance(sessions, weekly, at('2026-11-12T12:00Z'), 'Europe/London');
		expect(g.booked).toBe(2);
		expect(g.nextBooked).toBe(at('2026-11-17T10:00Z'));
		// Within a day of its time a session that has not been held yet still counts (it may be running late).
		expect(rhythmAtAGlance(sessions, weekly, at('2026-11-05T20:00Z'), 'Europe/London').booked).toBe(3);
	});

	it('is behind only once the due date has passed with nothing booked', () => {
		const held = [session('2026-11-03T10:00Z', 'ended')];
		expect(rhythmAtAGlance(held, weekly, at('2026-11-10T23:00Z'), 'UTC').behind).toBe(false); // the due day itself
		expect(rhythmAtAGlance(held, weekly, at('2026-11-11T00:01Z'), 'UTC').behind).toBe(true);
		expect(rhythmAtAGlance([...held, session('2026-11-20T10:00Z', 'scheduled')], weekly, at('2026-11-11T00:01Z'), 'UTC').behind).toBe(false);
		// A live session is booked too.
		expect(rhythmAtAGlance([...held, session('2026-11-11T00:00Z', 'live')], weekly, at('2026-11-11T00:01Z'), 'UTC').behind).toBe(false);
	});

	it('reads the dates in the reader zone: the same instant is past due in London and not yet in New York', () => {
		const held = [session('2026-11-03T15:00Z', 'ended')];
		const now = at('2026-11-11T02:00Z'); // 02:00 on the 11th in London, 21:00 on the 10th in New York
		expect(rhythmAtAGlance(held, weekly, now, 'Europe/London')).toMatchObject({ nextDue: '2026-11-10', behind: true });
		expect(rhythmAtAGlance(held, weekly, now, 'America/New_York')).toMatchObject({ nextDue: '2026-11-10', behind: false });
		// A late-evening session in New York is the next day in Tokyo, so its next one is due a day later there.
		const evening = [session('2026-11-03T23:30Z', 'ended')];
		expect(rhythmAtAGlance(evening, weekly, now, 'America/New_York').nextDue).toBe('2026-11-10');
		expect(rhythmAtAGlance(evening, weekly, now, 'Asia/Tokyo').nextDue).toBe('2026-11-11');
	});

	it('follows the agreed frequency, across the end of a month', () => {
		const held = [session('2026-01-31T10:00Z', 'ended')];
		expect(rhythmAtAGlance(held, { planned: 6, frequency: 'fortnightly' }, at('2026-02-01T00:00Z'), 'UTC').nextDue).toBe('2026-02-14');
		expect(rhythmAtAGlance(held, { planned: 6, frequency: 'monthly' }, at('2026-02-01T00:00Z'), 'UTC').nextDue).toBe('2026-02-28');
	});

	it('never nudges when times are agreed as we go, before the first session, or once every planned session is held', () => {
		const later = at('2027-06-01T00:00Z');
		expect(rhythmAtAGlance([session('2026-11-03T10:00Z', 'ended')], { planned: 6, frequency: 'as agreed' }, later, 'UTC')).toMatchObject({ nextDue: null, behind: false });
		expect(rhythmAtAGlance([], weekly, later, 'UTC')).toMatchObject({ held: 0, nextDue: null, behind: false });
		const allHeld = [session('2026-11-03T10:00Z', 'ended'), session('2026-11-10T10:00Z', 'ended')];
		expect(rhythmAtAGlance(allHeld, { planned: 2, frequency: 'weekly' }, later, 'UTC').behind).toBe(false);
		expect(rhythmAtAGlance(allHeld, { planned: 3, frequency: 'weekly' }, later, 'UTC').behind).toBe(true);
		expect(rhythmAtAGlance(allHeld, { planned: null, frequency: 'weekly' }, later, 'UTC').behind).toBe(true);
	});
});

describe('due and overdue actions', () => {
	const now = at('2026-11-11T02:00Z'); // the 11th in London, still the 10th in New York
	it('is due on its due day and overdue the day after, in the reader zone', () => {
		const action = { due: '2026-11-10', status: 'open' };
		expect([isDue(action, now, 'Europe/London'), isOverdue(action, now, 'Europe/London')]).toEqual([true, true]);
		expect([isDue(action, now, 'America/New_York'), isOverdue(action, now, 'America/New_York')]).toEqual([true, false]);
		expect(isDue({ due: '2026-11-11', status: 'open' }, now, 'America/New_York')).toBe(false);
	});
	it('is neither once done or dropped, nor without a due date', () => {
		for (const a of [{ due: '2026-11-01', status: 'done' }, { due: '2026-11-01', status: 'dropped' }, { due: null, status: 'open' }]) {
			expect([isDue(a, now, 'UTC'), isOverdue(a, now, 'UTC')]).toEqual([false, false]);
		}
	});
});

describe('preparation steering "Suggested now"', () => {
	const base: PhaseSuggestion = { phases: ['scoping', 'contracting'], reason: 'Opening the session' };
	const item = (p: Partial<AgendaItem>): AgendaItem => ({ userId: 'u1', name: 'Sam', want: '', forCoach: '', actions: [], updatedAt: 0, ...p });
	const action = (status: 'open' | 'done' | 'dropped', comment = '') => ({ actionId: 'a1', text: 'Draft the memo', status, comment });

	it('leaves the clock suggestion alone without preparation or once the session is under way', () => {
		expect(withPreparation(base, null, true)).toBe(base);
		expect(withPreparation(base, { items: [] }, true)).toBe(base);
		expect(withPreparation(base, { items: [item({ want: 'A plan', actions: [action('done')] })] }, false)).toBe(base);
	});

	it('ignores preparation that says nothing: blank wishes and actions left open without a word', () => {
		expect(withPreparation(base, { items: [item({ want: '  \n ', forCoach: 'Tired', actions: [action('open'), action('open', '   ')] })] }, true)).toBe(base);
	});

	it('starts from the action updates when there are any, then what they want', () => {
		expect(withPreparation(base, { items: [item({ actions: [action('done')] })] }, true)).toEqual({ phases: ['reflection', 'scoping'], reason: 'Preparation: review the action updates first' });
		expect(withPreparation(base, { items: [item({ actions: [action('open', 'Half done')] })] }, true).phases).toEqual(['reflection', 'scoping']);
		expect(withPreparation(base, { items: [item({ want: 'A plan', actions: [action('dropped')] })] }, true).phases).toEqual(['reflection', 'scoping', 'goal']);
	});

	it('starts from what they want when no action changed; any coachee of a group counts', () => {
		expect(withPreparation(base, { items: [item({ want: 'A plan for Monday' })] }, true)).toEqual({ phases: ['scoping', 'goal'], reason: 'Preparation: start from what they want today' });
		const group = [item({ userId: 'u1' }), item({ userId: 'u2', actions: [action('done')] })];
		expect(withPreparation(base, { items: group }, true).phases[0]).toBe('reflection');
	});
});
