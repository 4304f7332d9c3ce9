/**
 * The progress and feedback services on SQLite and PostgreSQL, in process,
 * as the closing feature calls them: `recordRatings` and its refusals
 * (range, goals not in the contract, no contract, sessions not ended or not
 * of the engagement, non-members), one rating per person, goal and moment
 * (rated again, replaced in place), `series` per viewer in a group (a
 * coachee sees their own line and the coach's, never another coachee's),
 * and feedback refused before a session ends and to anyone outside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../helpers/store.ts';
import { uniqueEmail } from '../helpers/http.ts';
import type { DbKind } from '../helpers/server.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createScheduler } from '../../server/scheduler/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { createProgress } from '../../server/progress/index.ts';
import { createFeedback } from '../../server/feedback/index.ts';

const HOUR = 60 * 60_000;
const GOALS = [
	{ id: 'goal-1', statement: 'Lead the team meeting with confidence' },
	{ id: 'goal-2', statement: 'Delegate two projects' }
];

for (const kind of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`progress and feedback services on ${kind}`, () => {
		let t: TestStore;
		beforeAll(async () => {
			t = await openTestStore(kind, 'progress');
		});
		afterAll(async () => {
			await t?.close();
		});

		it('records ratings within the rules, shows each viewer their lines, and refuses feedback before the end and outside the session', async () => {
			const log = createLogger('silent');
			const db = t.store.db;
			const auth = createAuth(db);
			const engagements = createEngagements(db, auth, { contractInForce: async () => ({ version: 1, sessions: 6 }) });
			const person = async (name: string) => {
				const r = await auth.createAccount({ name, email: uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')), password: 'a sturdy passphrase 42' });
				if (!r.ok) throw new Error(r.error.message);
				return r.value.user.id;
			};
			const [coach, sam, alex, stranger] = [await person('Casey Coach'), await person('Sam Coachee'), await person('Alex Coachee'), await person('Stella Stranger')];
			const e = await engagements.create(coach, { kind: 'coaching', title: 'Leading the team', goals: 'Run the meeting well', plannedSessions: 6, frequency: 'weekly' });
			const bare = await engagements.create(coach, { kind: 'coaching', title: 'No contract yet', goals: 'Later', plannedSessions: 6, frequency: 'weekly' });
			if (!e.ok || !bare.ok) throw new Error('engagement not created');
			const engagementId = e.value.id;
			for (const coachee of [sam, alex]) {
				const inv = await engagements.createInvite(engagementId, coach);
				if (!inv.ok) throw new Error(inv.error.message);
				await engagements.acceptInvite(inv.value.token, coachee);
			}
			const s1 = await engagements.scheduleSession(engagementId, coach, { scheduledAt: new Date(Date.now() + HOUR).toISOString(), durationMinutes: 60 });
			const s2 = await engagements.scheduleSession(engagementId, coach, { scheduledAt: new Date(Date.now() + 8 * 24 * HOUR).toISOString(), durationMinutes: 60 });
			if (!s1.ok || !s2.ok) throw new Error('scheduling failed');

			const progress = createProgress({ db, log, engagements, contractGoals: async (id) => (id === engagementId ? { version: 1, goals: GOALS } : null) });
			const scheduler = createScheduler({ db, dialect: t.store.dialect, log });
			const feedback = createFeedback({ db, log, mail: { enqueue: async () => {}, kick: () => {}, register: () => {} }, scheduler, origin: undefined, engagements });

			// Feedback before the session ended, and from someone who was not in it.
			expect(await feedback.give(s1.value.id, sam, { usefulness: '4' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/once the session has ended/) } });
			expect(await feedback.view(s1.value.id, stranger)).toMatchObject({ ok: false, error: { code: 'not_found' } });

			const rate = (raterId: string, moment: string, scores: Record<string, unknown>, sessionId?: string) => progress.recordRatings({ engagementId, raterId, moment, scores, ...(sessionId ? { sessionId } : {}) });
			// Refusals: nothing is stored by any of them.
			for (const bad of [{ 'goal-1': 11 }, { 'goal-1': -1 }, { 'goal-1': 2.5 }, { 'goal-1': '7' }]) expect(await rate(sam, 'baseline', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			expect(await rate(sam, 'baseline', { 'goal-1': 4, 'goal-9': 5 })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/“goal-9” is not a goal of the contract in force/) } });
			expect(await rate(sam, 'baseline', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			expect(await rate(sam, 'whenever', { 'goal-1': 4 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			expect(await rate(stranger, 'baseline', { 'goal-1': 4 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
			expect(await progress.recordRatings({ engagementId: bare.value.id, raterId: coach, moment: 'baseline', scores: { 'goal-1': 4 } })).toMatchObject({ ok: false, error: { code: 'conflict' } });
			expect(await rate(sam, 'session', { 'goal-1': 4 })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'sessionId' } });
			expect(await rate(sam, 'session', { 'goal-1': 4 }, s1.value.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
			expect(await rate(sam, 'session', { 'goal-1': 4 }, bare.value.id)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			expect(await rate(sam, 'baseline', { 'goal-1': 4 }, s1.value.id)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			expect((await progress.series(engagementId, coach))?.points).toEqual([]);

			// Baseline, session 1 (once ended), and the close, as the closing feature would call it.
			expect(await rate(sam, 'baseline', { 'goal-1': 2, 'goal-2': 0 })).toEqual({ ok: true, value: { recorded: 2 } });
			expect(await rate(alex, 'baseline', { 'goal-1': 5 })).toMatchObject({ ok: true });
			expect(await rate(coach, 'baseline', { 'goal-1': 4, 'goal-2': 10 })).toMatchObject({ ok: true });
			await engagements.setSessionStatus(s1.value.id, 'live');
			await engagements.setSessionStatus(s1.value.id, 'ended');
			expect(await rate(sam, 'session', { 'goal-1': 6 }, s1.value.id)).toMatchObject({ ok: true });
			const before = (await progress.series(engagementId, sam))!.points.find((p) => p.moment === 'session')!;
			// Rated again: replaced, in the same place in time.
			expect(await rate(sam, 'session', { 'goal-1': 7 }, s1.value.id)).toMatchObject({ ok: true });
			expect(await rate(coach, 'close', { 'goal-1': 8 })).toMatchObject({ ok: true });

			const line = (viewer: string) => progress.series(engagementId, viewer).then((s) => s!.points.map((p) => `${p.raterName} ${p.goalId} ${p.label} ${p.score}`));
			expect((await progress.series(engagementId, coach))!.goals).toEqual(GOALS);
			expect(await line(coach)).toEqual([
				'Sam Coachee goal-1 Baseline 2',
				'Sam Coachee goal-2 Baseline 0',
				'Alex Coachee goal-1 Baseline 5',
				'Casey Coach goal-1 Baseline 4',
				'Casey Coach goal-2 Baseline 10',
				'Sam Coachee goal-1 Session 1 of 6 7',
				'Casey Coach goal-1 At close 8'
			]);
			// Sam: their own line and the coach's; Alex's never.
			expect(await line(sam)).toEqual(['Sam Coachee goal-1 Baseline 2', 'Sam Coachee goal-2 Baseline 0', 'Casey Coach goal-1 Baseline 4', 'Casey Coach goal-2 Baseline 10', 'Sam Coachee goal-1 Session 1 of 6 7', 'Casey Coach goal-1 At close 8']);
			expect((await line(alex)).some((l) => l.startsWith('Sam'))).toBe(false);
			const after = (await progress.series(engagementId, sam))!.points.filter((p) => p.moment === 'session');
			expect(after).toHaveLength(1);
			expect(after[0]!.at).toBe(before.at);
			expect(await progress.series(engagementId, stranger)).toBeNull();

			// "Rate progress now" follows the latest ended session, with the person's own scores.
			expect(await progress.ratingForm(engagementId, sam)).toMatchObject({ moment: 'session', sessionId: s1.value.id, label: 'Session 1 of 6', goals: [{ id: 'goal-1', score: 7 }, { id: 'goal-2', score: null }] });
			expect(await progress.ratingForm(engagementId, stranger)).toBeNull();

			// After the end: the coach's reflection stays theirs; the coachee sees only the note.
			expect(await feedback.give(s1.value.id, coach, { reflection: 'Mine alone', noteToCoachee: 'Well done' })).toMatchObject({ ok: true });
			const samSees = await feedback.view(s1.value.id, sam);
			expect(samSees).toMatchObject({ ok: true, value: { role: 'coachee', state: 'open', noteFromCoach: { text: 'Well done' } } });
			expect(JSON.stringify(samSees)).not.toContain('Mine alone');
			expect(await feedback.view(s2.value.id, sam)).toMatchObject({ ok: false, error: { code: 'conflict' } });
			await scheduler.close();
		});
	});
}
