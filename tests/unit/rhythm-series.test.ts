import { describe, expect, it } from 'vitest';
import { addMonths, proposeSeries, wallOf, type SeriesPlan } from '../../server/rhythm/series.ts';

const base: SeriesPlan = {
	frequency: 'weekly',
	startDate: '2026-10-13',
	endDate: '2027-06-30',
	sessionsLeft: 4,
	time: '09:30',
	zone: 'Europe/London',
	now: Date.parse('2026-10-01T00:00:00Z')
};

function propose(p: Partial<SeriesPlan>) {
	const r = proposeSeries({ ...base, ...p });
	if (!r.ok) throw new Error(r.error.message);
	return r.value;
}

describe('proposing a series', () => {
	it('keeps the wall time in London across the October clock change', () => {
		const s = propose({});
		expect(s.sessions.map((x) => x.date)).toEqual(['2026-10-13', '2026-10-20', '2026-10-27', '2026-11-03']);
		expect(s.sessions.map((x) => new Date(x.at).toISOString())).toEqual([
			'2026-10-13T08:30:00.000Z',
			'2026-10-20T08:30:00.000Z',
			'2026-10-27T09:30:00.000Z',
			'2026-11-03T09:30:00.000Z'
		]);
		expect(s.sessions.every((x) => wallOf(x.at, 'Europe/London').time === '09:30')).toBe(true);
		expect(s.shortBy).toBeNull();
	});

	it('keeps the wall time in New York, whose clocks change a week later', () => {
		const s = propose({ zone: 'America/New_York', time: '18:00', startDate: '2026-10-20', sessionsLeft: 3 });
		expect(s.sessions.map((x) => new Date(x.at).toISOString())).toEqual(['2026-10-20T22:00:00.000Z', '2026-10-27T22:00:00.000Z', '2026-11-03T23:00:00.000Z']);
	});

	it('handles the spring change in both zones (US on 14 March, UK on 28 March 2027)', () => {
		const ny = propose({ zone: 'America/New_York', time: '08:00', startDate: '2027-03-09', sessionsLeft: 2, now: Date.parse('2027-03-01T00:00:00Z') });
		expect(ny.sessions.map((x) => new Date(x.at).toISOString())).toEqual(['2027-03-09T13:00:00.000Z', '2027-03-16T12:00:00.000Z']);
		const ldn = propose({ frequency: 'fortnightly', startDate: '2027-03-23', sessionsLeft: 2, now: Date.parse('2027-03-01T00:00:00Z') });
		expect(ldn.sessions.map((x) => new Date(x.at).toISOString())).toEqual(['2027-03-23T09:30:00.000Z', '2027-04-06T08:30:00.000Z']);
	});

	it('skips dates marked unavailable and keeps the rhythm for the rest', () => {
		const s = propose({ unavailable: ['2026-10-20'] });
		expect(s.sessions.map((x) => x.date)).toEqual(['2026-10-13', '2026-10-27', '2026-11-03', '2026-11-10']);
		expect(s.skipped).toEqual(['2026-10-20']);
	});

	it('stops at the contracted number of sessions left', () => {
		expect(propose({ sessionsLeft: 2 }).sessions).toHaveLength(2);
		const r = proposeSeries({ ...base, sessionsLeft: 0 });
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.error.message).toMatch(/already scheduled or held/);
	});

	it('stops at the contract end date and says how many do not fit', () => {
		const s = propose({ endDate: '2026-10-21', sessionsLeft: 4 });
		expect(s.sessions).toHaveLength(2);
		expect(s.shortBy?.count).toBe(2);
		expect(s.shortBy?.reason).toMatch(/Only 2 of the 4/);
	});

	it('proposes nothing in the past', () => {
		const s = propose({ now: Date.parse('2026-10-20T12:00:00Z') });
		expect(s.sessions[0]!.date).toBe('2026-10-27');
	});

	it('steps months from the first date, clamping to the month end', () => {
		expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
		const s = propose({ frequency: 'monthly', startDate: '2027-01-31', sessionsLeft: 3, now: Date.parse('2027-01-01T00:00:00Z') });
		expect(s.sessions.map((x) => x.date)).toEqual(['2027-01-31', '2027-02-28', '2027-03-31']);
	});

	it('refuses a rhythm agreed as we go', () => {
		const r = proposeSeries({ ...base, frequency: 'as agreed' });
		expect(r.ok).toBe(false);
	});
});
