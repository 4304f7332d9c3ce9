/**
 * The report through the seam to goal progress and session feedback
 * (server/closing/sources.ts): what those features give for a reader lands
 * in that reader's copy; the coach's own private reflections are in the
 * coach's copy only, and never under "Feedback after sessions".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildReport, type ReportDeps } from '../../server/closing/report.ts';
import type { ClosingSources } from '../../server/closing/sources.ts';
import type { CoachingSessionRow } from '../../server/store/index.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';
import { reportSections } from '../../shared/closing/sections.ts';

let t: TestStore;
beforeAll(async () => {
	t = await openTestStore('sqlite', 'closing-report');
});
afterAll(async () => {
	await t.close();
});

const session = (id: string, number: number, status: CoachingSessionRow['status']): CoachingSessionRow => ({
	id, engagement_id: 'e1', kind: 'session', number, scheduled_at: Date.parse(`2026-0${number}-01T09:00:00Z`), duration_minutes: 60, status,
	started_at: status === 'ended' ? Date.parse(`2026-0${number}-01T09:03:00Z`) : null, ended_at: status === 'ended' ? Date.parse(`2026-0${number}-01T09:58:00Z`) : null,
	created_at: 0, sequence: 0, changed_by: null, change_reason: null, changed_at: null, late_change: 0
});

function deps(sources: ClosingSources): ReportDeps {
	return {
		db: t.store.db,
		sources,
		plan: async () => ({ title: 'Leading the team', kind: 'coaching' }),
		members: async () => [
			{ userId: 'coach', name: 'Casey Coach', email: 'c@example.org', role: 'coach' },
			{ userId: 'sam', name: 'Sam Coachee', email: 's@example.org', role: 'coachee' }
		],
		goals: async () => [{ id: 'g1', statement: 'Confident first 90 days', targetDate: '2027-05-30' }],
		sessionsOf: async () => [session('s1', 1, 'ended'), session('s2', 2, 'cancelled')],
		groupSharing: async () => null,
		acrossEngagement: async () => ({ actions: [{ id: 'a', text: 'Still open', owner: 'Sam', status: 'open', sessionNumber: 1 }, { id: 'b', text: 'Dropped one', owner: 'Sam', status: 'dropped', sessionNumber: 1 }], learningPoints: [] })
	};
}

it('puts what the progress and feedback features give each reader into their copy, reflections in the coach’s only', async () => {
	const asked: string[] = [];
	const sources: ClosingSources = {
		async recordCloseRatings() {},
		async progressForReport(_id, readerId) {
			asked.push(readerId);
			return [{ goalId: 'g1', raterId: 'sam', moment: 'baseline', label: 'Baseline', score: 3, at: 1 }, { goalId: 'g1', raterId: 'coach', moment: 'session', label: 'Session 1 of 6', score: 5, at: 2 }, { goalId: 'g1', raterId: 'sam', moment: 'close', label: 'At close', score: 8, at: 3 }];
		},
		async feedbackForReport(_id, readerId) {
			const items = [{ sessionId: 's1', fromId: 'sam', text: 'The scaling question helped.', rating: 5, private: false }];
			return readerId === 'coach' ? [...items, { sessionId: 's1', fromId: 'coach', text: 'REFLECTION-coach-only', rating: null, private: true }] : items;
		}
	};
	const coach = await buildReport(deps(sources), 'e1', 'coach');
	const sam = await buildReport(deps(sources), 'e1', 'sam');
	expect(asked.sort()).toEqual(['coach', 'sam']);
	expect(coach!.goals[0]!.progress.map((p) => `${p.raterName} ${p.score}`)).toEqual(['Sam Coachee 3', 'Casey Coach 5']);
	// The close rating is the progress feature's, shown once: at the close, not again over time.
	expect(coach!.goals[0]!.atClose).toEqual([{ raterName: 'Sam Coachee', score: 8, raterRole: 'coachee' }]);
	const goalText = reportSections(coach!).find((s) => s.title === 'Goals and their progress')!.items[0]!.text;
	expect(goalText).toBe('Baseline, 1970-01-01: Sam Coachee 3/10.\nSession 1 of 6, 1970-01-01: Casey Coach 5/10.\nAt the close: Sam Coachee 8/10.');
	expect(coach!.reflections).toEqual([{ sessionNumber: 1, text: 'REFLECTION-coach-only' }]);
	expect(coach!.feedback).toEqual([{ sessionNumber: 1, fromName: 'Sam Coachee', text: 'The scaling question helped.', rating: 5 }]);
	expect(sam!.reflections).toBeNull();
	expect(JSON.stringify(sam)).not.toContain('REFLECTION-coach-only');
	// Only sessions held, with the room's duration; only actions done or dropped.
	expect(coach!.sessions).toEqual([expect.objectContaining({ number: 1, minutes: 55 })]);
	expect(coach!.actions.map((a) => a.text)).toEqual(['Dropped one']);
	expect(await buildReport(deps(sources), 'e1', 'stranger')).toBeNull();
});

it('gives a group’s coachee no other coachee’s name when the contract does not share names', async () => {
	const sources: ClosingSources = {
		async recordCloseRatings() {},
		progressForReport: async () => [{ goalId: 'g1', raterId: 'alex', moment: 'baseline', label: 'Baseline', score: 4, at: 1 }],
		feedbackForReport: async () => []
	};
	const group = (names: boolean): ReportDeps => ({
		...deps(sources),
		members: async () => [
			{ userId: 'coach', name: 'Casey Coach', email: 'c@example.org', role: 'coach' },
			{ userId: 'sam', name: 'Sam Coachee', email: 's@example.org', role: 'coachee' },
			{ userId: 'alex', name: 'Alex Coachee', email: 'a@example.org', role: 'coachee' }
		],
		groupSharing: async () => ({ names, actions: false, learningPoints: false })
	});
	const hidden = await buildReport(group(false), 'e1', 'sam');
	expect(JSON.stringify(hidden)).not.toContain('Alex');
	expect(hidden!.goals[0]!.progress[0]!.raterName).toBe('A group member');
	expect(hidden!.people.map((p) => p.name)).toEqual(['Casey Coach', 'Sam Coachee']);
	expect((await buildReport(group(true), 'e1', 'sam'))!.goals[0]!.progress[0]!.raterName).toBe('Alex Coachee');
	expect((await buildReport(group(false), 'e1', 'coach'))!.people).toHaveLength(3);
});
