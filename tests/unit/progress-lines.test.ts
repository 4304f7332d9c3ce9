/** The progress series arranged per goal: one row per moment, one line per person (coachees first), and the gap where they differ. */
import { expect, it } from 'vitest';
import { goalCharts } from '../../shared/progress/lines.ts';
import { scoresFromForm, type ProgressPoint } from '../../shared/progress/index.ts';

const point = (over: Partial<ProgressPoint>): ProgressPoint => ({ goalId: 'g1', raterId: 'sam', raterRole: 'coachee', raterName: 'Sam', moment: 'baseline', sessionId: null, label: 'Baseline', at: 1000, score: 3, ...over });
const coach = { raterId: 'casey', raterRole: 'coach' as const, raterName: 'Casey' };

it('puts the baseline of both people in one row, each session in its own, and names the widest gap', () => {
	const [chart, empty] = goalCharts({
		goals: [
			{ id: 'g1', statement: 'Lead the meeting' },
			{ id: 'g2', statement: 'Delegate' }
		],
		points: [
			point({ at: 1000, score: 3 }),
			point({ ...coach, at: 5000, score: 7 }),
			point({ moment: 'session', sessionId: 's1', label: 'Session 1 of 6', at: 9000, score: 6 }),
			point({ ...coach, moment: 'session', sessionId: 's1', label: 'Session 1 of 6', at: 9000, score: 5 }),
			point({ moment: 'session', sessionId: 's2', label: 'Session 2 of 6', at: 20000, score: 8 })
		]
	});
	expect(chart!.rows.map((r) => [r.label, r.at, r.gap])).toEqual([
		['Baseline', 1000, 4],
		['Session 1 of 6', 9000, 1],
		['Session 2 of 6', 20000, null]
	]);
	expect(chart!.lines.map((l) => [l.raterName, l.values])).toEqual([
		['Sam', [3, 6, 8]],
		['Casey', [7, 5, null]]
	]);
	expect(chart!.largestGap).toEqual({ gap: 4, label: 'Baseline' });
	expect(empty).toMatchObject({ rows: [], lines: [], largestGap: null });
});

it('reads the flat form fields, leaving blank goals out', () => {
	expect(scoresFromForm({ moment: 'baseline', 'score.g1': '4', 'score.g2': '', 'score.g3': ' 10 ' })).toEqual({ g1: 4, g3: 10 });
	expect(scoresFromForm({ 'score.g1': 'lots' })).toMatch(/number from 0 to 10/);
});
