/**
 * Issue 15, matching: each reason of the ranking moves the order as
 * server/schemes/ranking.ts documents it, equal scores keep the input order,
 * and nobody without a free place is ever suggested.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rank, wordsOf, workdayOverlapHours, zoneOffsetMinutes, type Candidate, type Wanted } from '../../server/schemes/ranking.ts';
import { readinessOf } from '../../shared/schemes/index.ts';

const base = (userId: string, over: Partial<Candidate> = {}): Candidate => ({
	userId,
	kinds: 'coaching',
	areas: [],
	words: new Set(),
	languages: ['english'],
	offsetMinutes: 0,
	capacity: 2,
	load: 0,
	feedback: null,
	...over
});
const wanted = (over: Partial<Wanted> = {}): Wanted => ({ kind: 'coaching', areas: [], words: [], languages: ['english'], offsetMinutes: 0, exclude: new Set(), ...over });
const order = (w: Wanted, cs: Candidate[], limit = 10) => rank(w, cs, limit).map((s) => s.userId);

describe('each reason moves the order', () => {
	it('expertise overlap: a shared area of the scheme list lifts a volunteer above an equal one', () => {
		const w = wanted({ areas: ['Leadership'] });
		expect(order(w, [base('a'), base('b', { areas: ['Leadership'] })])).toEqual(['b', 'a']);
		const [first] = rank(w, [base('b', { areas: ['Leadership'] })], 1);
		expect(first!.reasons.find((r) => r.kind === 'expertise')).toMatchObject({ points: 3, text: 'Expertise in Leadership' });
	});

	it("the volunteer's own words count for less than a listed area", () => {
		const w = wanted({ areas: ['Career'], words: wordsOf('moving into product management') });
		expect(order(w, [base('words', { words: new Set(wordsOf('product management')) }), base('area', { areas: ['Career'] })])).toEqual(['area', 'words']);
		expect(order(w, [base('none'), base('words', { words: new Set(wordsOf('product')) })])).toEqual(['words', 'none']);
	});

	it('language: a shared language beats none, and no shared language sinks below everything else', () => {
		const w = wanted({ languages: ['welsh'] });
		expect(order(w, [base('en', { areas: ['X'] }), base('cy', { languages: ['welsh'] })])).toEqual(['cy', 'en']);
		const sunk = rank(wanted({ languages: ['welsh'], areas: ['X'] }), [base('en', { areas: ['X'] })], 1)[0]!;
		expect(sunk.reasons.find((r) => r.kind === 'language')!.points).toBeLessThan(0);
	});

	it('time-zone overlap: the same working hours beat a zone eight hours away', () => {
		const w = wanted({ offsetMinutes: 60 });
		expect(order(w, [base('far', { offsetMinutes: 9 * 60 }), base('near', { offsetMinutes: 0 })])).toEqual(['near', 'far']);
		expect(workdayOverlapHours(0, 0)).toBe(9);
		expect(workdayOverlapHours(0, 9 * 60)).toBe(0);
		expect(workdayOverlapHours(-11 * 60, 13 * 60)).toBe(9); // the same clock across the date line
	});

	it('coaching versus mentoring fit: offering only the other kind sinks a volunteer, both fits', () => {
		const w = wanted({ kind: 'mentoring' });
		expect(order(w, [base('coach'), base('mentor', { kinds: 'mentoring' }), base('both', { kinds: 'both' })])).toEqual(['mentor', 'both', 'coach']);
	});

	it('capacity: more free places rank higher, up to three', () => {
		const w = wanted();
		expect(order(w, [base('one', { capacity: 3, load: 2 }), base('three', { capacity: 3, load: 0 })])).toEqual(['three', 'one']);
		expect(order(w, [base('three', { capacity: 3 }), base('five', { capacity: 5 })])).toEqual(['three', 'five']); // capped: a tie, input order
	});

	it('past feedback in this scheme: good ratings lift, poor ones lower, few ratings count less', () => {
		const w = wanted();
		const cs = [base('none'), base('poor', { feedback: { mean: 2, count: 4 } }), base('good', { feedback: { mean: 4.8, count: 4 } })];
		expect(order(w, cs)).toEqual(['good', 'none', 'poor']);
		expect(order(w, [base('once', { feedback: { mean: 5, count: 1 } }), base('often', { feedback: { mean: 5, count: 10 } })])).toEqual(['often', 'once']);
	});
});

describe('rules', () => {
	it('ties keep the order the candidates came in', () => {
		const cs = ['c', 'a', 'd', 'b'].map((id) => base(id));
		expect(order(wanted(), cs)).toEqual(['c', 'a', 'd', 'b']);
	});

	it('never suggests a volunteer without a free place, the excluded, or more than the limit', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ capacity: fc.integer({ min: 0, max: 4 }), load: fc.integer({ min: 0, max: 5 }), areas: fc.subarray(['A', 'B', 'C']), offset: fc.integer({ min: -720, max: 840 }) }), { maxLength: 40 }),
				fc.integer({ min: 1, max: 10 }),
				(rows, limit) => {
					const cs = rows.map((r, i) => base(`v${i}`, { capacity: r.capacity, load: r.load, areas: r.areas, offsetMinutes: r.offset }));
					const out = rank(wanted({ areas: ['A'], exclude: new Set(['v0']) }), cs, limit);
					expect(out.length).toBeLessThanOrEqual(limit);
					for (const s of out) {
						const c = cs.find((x) => x.userId === s.userId)!;
						expect(c.load).toBeLessThan(c.capacity);
						expect(s.userId).not.toBe('v0');
						expect(s.free).toBe(c.capacity - c.load);
					}
					for (let i = 1; i < out.length; i++) expect(out[i - 1]!.score).toBeGreaterThanOrEqual(out[i]!.score);
					const eligible = cs.filter((c) => c.load < c.capacity && c.userId !== 'v0').length;
					expect(out.length).toBe(Math.min(limit, eligible));
				}
			)
		);
	});

	it('every point given is a reason shown', () => {
		const [s] = rank(wanted({ areas: ['A'], languages: ['english'] }), [base('x', { areas: ['A'], feedback: { mean: 4, count: 2 } })], 1);
		expect(s!.reasons.reduce((a, r) => a + r.points, 0)).toBeCloseTo(s!.score, 2);
		expect(s!.reasons.map((r) => r.kind).sort()).toEqual(['capacity', 'expertise', 'feedback', 'fit', 'language', 'timezone']);
	});

	it('reads zone offsets from the zone rules, daylight saving included', () => {
		expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 0, 15))).toBe(0);
		expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 6, 15))).toBe(60);
		expect(zoneOffsetMinutes('Asia/Kolkata', Date.UTC(2026, 6, 15))).toBe(330);
		expect(zoneOffsetMinutes('America/New_York', Date.UTC(2026, 0, 15))).toBe(-300);
	});
});

describe('readiness check', () => {
	it('flags a vague idea and an unsure commitment, and passes a clear, committed request', () => {
		expect(readinessOf({ develop: 'Lead my new team through the restructure well', success: 'The team trusts my decisions', clarity: 'clear', commitment: 'yes' })).toEqual({ clearIdea: 'strong', commitment: 'strong', concerns: [] });
		const weak = readinessOf({ develop: 'Not sure', success: '', clarity: 'unsure', commitment: 'unsure' });
		expect(weak).toMatchObject({ clearIdea: 'weak', commitment: 'weak' });
		expect(weak.concerns).toHaveLength(4);
	});
});
