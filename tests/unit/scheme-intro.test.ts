/**
 * Issue 15, the introductory meeting a placement suggests: at least two days
 * ahead, on a weekday hour inside both people's working hours in their own
 * zones, and for the coachee alone when their working days never overlap.
 */
import { expect, it } from 'vitest';
import { introductoryTime } from '../../server/schemes/intro.ts';
import { limits } from '../../server/config/index.ts';

const local = (at: number, zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
const hourIn = (at: number, zone: string) => Number(local(at, zone).find((p) => p.type === 'hour')!.value);
const dayIn = (at: number, zone: string) => local(at, zone).find((p) => p.type === 'weekday')!.value;

it('is a weekday working hour for both, at least the lead time ahead', () => {
	const friday = Date.UTC(2026, 11, 4, 16, 30); // Fri 4 Dec 2026, 16:30 UTC
	const at = introductoryTime(friday, 'Europe/London', 'America/New_York');
	expect(at - friday).toBeGreaterThanOrEqual(limits.schemes.introLeadMs);
	for (const zone of ['Europe/London', 'America/New_York']) {
		expect(hourIn(at, zone)).toBeGreaterThanOrEqual(9);
		expect(hourIn(at, zone)).toBeLessThan(17);
		expect(['Sat', 'Sun']).not.toContain(dayIn(at, zone));
	}
	// London 14:00 is New York 09:00: the earliest shared hour on Monday 7 December.
	expect(new Date(at).toISOString()).toBe('2026-12-07T14:00:00.000Z');
});

it('falls back to the coachee working hours when the two never overlap', () => {
	const now = Date.UTC(2026, 11, 1, 8);
	const at = introductoryTime(now, 'Pacific/Kiritimati', 'America/Los_Angeles');
	expect(hourIn(at, 'America/Los_Angeles')).toBeGreaterThanOrEqual(9);
	expect(hourIn(at, 'America/Los_Angeles')).toBeLessThan(17);
});
