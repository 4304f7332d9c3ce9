/**
 * Closing's pure rules: who may close or propose, who answers a proposal,
 * the follow-up date; and the sponsor's version of the report, which keeps
 * to goals, dates and the close.
 */
import { describe, expect, it } from 'vitest';
import { answerAllowed, closeStep, followUpAt } from '../../server/closing/rules.ts';
import { sponsorText } from '../../server/closing/report.ts';
import { evaluationForm, evaluationInput, type EngagementReport } from '../../shared/closing/index.ts';

const proposed = { state: 'proposed' as const, closed_at: null, proposed_by: 'coachee-1' };
const closed = { state: 'closed' as const, closed_at: Date.parse('2026-12-01T10:00:00Z'), proposed_by: 'coach-1' };

describe('closing rules', () => {
	it('lets the coach close, anyone propose, and refuses a coachee alone, a live session and a second close', () => {
		expect(closeStep('coach', 'close', null, false)).toEqual({ ok: true, value: 'close' });
		expect(closeStep('coach', 'close', proposed, false)).toEqual({ ok: true, value: 'close' });
		expect(closeStep('coachee', 'propose', null, false)).toEqual({ ok: true, value: 'propose' });
		expect(closeStep('coachee', 'close', null, false)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(closeStep('coach', 'propose', proposed, false)).toMatchObject({ ok: false, error: { code: 'conflict' } });
		expect(closeStep('coach', 'close', null, true)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('live') } });
		expect(closeStep('coach', 'close', closed, false)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('2026-12-01') } });
	});

	it('has the other side answer a proposal', () => {
		expect(answerAllowed('coach', proposed, 'coachee', 'coach-1')).toEqual({ ok: true, value: true });
		expect(answerAllowed('coachee', proposed, 'coachee', 'coachee-1')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		// Another coachee of a group is on the proposer's side too.
		expect(answerAllowed('coachee', proposed, 'coachee', 'coachee-2')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(answerAllowed('coach', null, null, 'coach-1')).toMatchObject({ ok: false, error: { code: 'conflict' } });
		expect(answerAllowed('coachee', closed, 'coach', 'coachee-1')).toMatchObject({ ok: false, error: { code: 'conflict' } });
	});

	it('sets the follow-up on the same day months later, or the month’s last day', () => {
		expect(followUpAt(Date.parse('2026-12-01T10:00:00Z'), 0)).toBeNull();
		expect(new Date(followUpAt(Date.parse('2026-12-01T10:00:00Z'), 3)!).toISOString()).toBe('2027-03-01T10:00:00.000Z');
		expect(new Date(followUpAt(Date.parse('2026-11-30T09:30:00Z'), 3)!).toISOString()).toBe('2027-02-28T09:30:00.000Z');
		expect(new Date(followUpAt(Date.parse('2027-08-31T09:30:00Z'), 6)!).toISOString()).toBe('2028-02-29T09:30:00.000Z');
	});
});

describe('the evaluation form', () => {
	it('reads goal ratings from goal.<id> fields and refuses them out of range', () => {
		const ok = evaluationForm.safeParse(evaluationInput({ helpful: '5', learning: '4', gained: '3', organisation: '2', 'goal.g1': '10', 'goal.g2': '0' }));
		expect(ok.success && ok.data.goals).toEqual({ g1: 10, g2: 0 });
		for (const bad of ['11', '-1', '7.5', 'lots']) expect(evaluationForm.safeParse(evaluationInput({ helpful: '5', learning: '4', gained: '3', organisation: '2', 'goal.g1': bad })).success).toBe(false);
		expect(evaluationForm.safeParse(evaluationInput({ helpful: '0', learning: '4', gained: '3', organisation: '2' })).success).toBe(false);
	});
});

describe("the sponsor's version", () => {
	it('holds the close, the session dates and the goals’ ratings at close, and nothing of the sessions’ content', () => {
		const report: EngagementReport = {
			engagement: { id: 'e', title: 'Leading the team', kind: 'coaching' },
			reader: 'coach',
			closedAt: Date.parse('2026-12-01T10:00:00Z'),
			closeReason: 'completed',
			closeNote: 'NOTE-private-to-the-pair',
			people: [],
			goals: [{ id: 'g1', statement: 'Confident first 90 days', targetDate: '2027-05-30', progress: [], atClose: [{ raterName: 'Sam', score: 7 }] }],
			sessions: [{ number: 1, kind: 'session', scheduledAt: Date.parse('2026-10-01T09:00:00Z'), startedAt: null, endedAt: null, minutes: null }],
			actions: [{ text: 'ACTION-secret', owner: 'Sam', status: 'done', sessionNumber: 1 }],
			learningPoints: [{ sessionNumber: 1, text: 'LEARNING-secret' }],
			feedback: [{ sessionNumber: 1, fromName: 'Sam', text: 'FEEDBACK-secret', rating: 4 }],
			evaluations: [{ name: 'Sam', role: 'coachee', answers: { helpful: 5, learning: 4, gained: 4, organisation: 3 }, comment: 'COMMENT-secret', at: 0 }],
			followUps: [],
			reflections: [{ sessionNumber: null, text: 'REFLECTION-secret' }]
		};
		const text = sponsorText(report, 2_000);
		expect(text).toContain('has closed on 2026-12-01');
		expect(text).toContain('2026-10-01');
		expect(text).toContain('Confident first 90 days: Sam 7');
		for (const secret of ['NOTE-private', 'ACTION-secret', 'LEARNING-secret', 'FEEDBACK-secret', 'COMMENT-secret', 'REFLECTION-secret']) expect(text).not.toContain(secret);
		expect(sponsorText(report, 40)).toHaveLength(40);

		// A group: every coachee reads the draft and any one approves it, so only the coach's ratings are in it.
		const group: EngagementReport = {
			...report,
			people: [{ userId: 'c', name: 'Casey', role: 'coach' }, { userId: 's', name: 'Sam', role: 'coachee' }, { userId: 'a', name: 'Alex', role: 'coachee' }],
			goals: [{ ...report.goals[0]!, atClose: [{ raterName: 'Casey', score: 6, raterRole: 'coach' }, { raterName: 'Sam', score: 7, raterRole: 'coachee' }, { raterName: 'Alex', score: 2, raterRole: 'coachee' }] }]
		};
		const groupText = sponsorText(group, 2_000);
		expect(groupText).toContain('Confident first 90 days: Casey 6');
		for (const theirs of ['Sam 7', 'Alex 2']) expect(groupText).not.toContain(theirs);
	});
});
