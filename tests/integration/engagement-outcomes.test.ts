/**
 * Issue 14, end to end through the real server on SQLite and PostgreSQL: the
 * engagement report's goals and feedback come from the real progress and
 * feedback features (server/closing/from-features.ts), cut per reader. A
 * group of two coachees rates a baseline and after two sessions, gives
 * feedback, and everyone evaluates at close; each reader's report then holds
 * exactly the ratings that reader's chart holds, each close rating once; a
 * coachee's copy never holds the coach's reflection or the other coachee's
 * answers or ratings. A sponsor of a one-to-one engagement sees none of it,
 * only the short version the coachee approved; in a group the draft every
 * coachee reads holds the coach's close ratings only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { coachingPair, joinAsSponsor, Visitor } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const REFLECTION = 'REFLECT-71c2-coach-alone';
const FINAL_REFLECTION = 'FINALREFLECT-0d9e-coach-alone';
const NOTE = 'NOTE-4a18-for-the-group';
const SAM_HELPED = 'SAMHELPED-2b7f';
const ALEX_HELPED = 'ALEXHELPED-9c31';
const ALEX_COMMENT = 'ALEXCOMMENT-5e02';

const today = () => new Date().toISOString().slice(0, 10);
const goalIdOf = async (v: Visitor, engagementId: string) => {
	const id = /name="score\.([^"]+)"/.exec(await (await v.get(`/engagements/${engagementId}`)).text())?.[1];
	if (!id) throw new Error('no goal to rate on the engagement page');
	return id;
};
/** The report's Markdown as a reader downloads it, and its goal section alone. */
async function reportOf(v: Visitor, engagementId: string) {
	const md = await (await v.get(`/engagements/${engagementId}/report.md`)).text();
	const goals = /## Goals and their progress\n\n([\s\S]*?)\n\n## /.exec(md)?.[1] ?? '';
	return { md, goals };
}
/** A goal's Markdown item as its lines, without the bold lead: one line per moment. */
const linesOf = (item: string) => item.split('\n').map((l) => l.replace(/^- \*\*[^*]+\*\*: /, '').replace(/^ {2}- /, ''));
/** The sponsor's version as the report job drafts it, waiting on a coachee's engagement page for approval. */
async function sponsorDraft(coachee: Visitor, engagementId: string) {
	let page = '';
	for (let i = 0; i < 60 && !page.includes('rated 0 to 10 at the close'); i++) {
		if (i) await new Promise((r) => setTimeout(r, 250));
		page = await (await coachee.get(`/engagements/${engagementId}`)).text();
	}
	return { text: /name="text"[^>]*>([^<]*rated 0 to 10 at the close[^<]*)</.exec(page)?.[1] ?? '', update: /name="update" value="([a-z0-9]+)"/.exec(page)?.[1] };
}
const evaluation = (goal: string, score: number, extra: Record<string, string> = {}) => ({ helpful: '4', learning: '4', gained: '3', organisation: '3', [`goal.${goal}`]: String(score), ...extra });

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the engagement report from real progress and feedback on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		}, 60_000);
		afterAll(async () => {
			await server?.cleanup();
		});

		it('gives each reader of a group the ratings and feedback they may see, each close rating once, and no other coachee’s answers', async () => {
			const { coach, coachees, engagementId, sessionId } = await coachingPair(server.url, { coachees: 2 });
			const [sam, alex] = coachees as [Visitor, Visitor];
			const { sponsor } = await joinAsSponsor(server.url, coach, engagementId);
			const goal = await goalIdOf(coach, engagementId);
			const ok = async (r: Promise<{ type: string }>, what: string) => expect((await r).type, what).toBe('success');
			const rateBaseline = (v: Visitor, score: number) => ok(v.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', [`score.${goal}`]: String(score) }), 'baseline');
			// Alex alone ever gives a 9 or a 1: a 9/10 or 1/10 in a copy is Alex's rating.
			await rateBaseline(sam, 2);
			await rateBaseline(alex, 1);
			await rateBaseline(coach, 4);
			const day0 = today();

			const s1 = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: 'Group notes', action: 'Plan the offsite', privateNote: 'Private' });
			await ok(sam.action(`/summaries/${s1}?/feedback`, { usefulness: '4', helped: SAM_HELPED, better: '' }), 'sam feedback');
			await ok(alex.action(`/summaries/${s1}?/feedback`, { usefulness: '2', helped: ALEX_HELPED, better: '' }), 'alex feedback');
			await ok(coach.action(`/summaries/${s1}?/feedback`, { reflection: REFLECTION, noteToCoachee: NOTE }), 'coach feedback');
			for (const [v, score] of [[sam, 5], [alex, 9], [coach, 5]] as const) await ok(v.action(`/summaries/${s1}?/rate`, { [`score.${goal}`]: String(score) }), 'rate after 1');
			const day1 = today();

			const second = await coach.scheduleSession(engagementId, 120);
			const s2 = await writeAndEndSession(server.url, coach.cookie, second, { note: 'More notes', action: 'Ask for feedback', privateNote: 'Private' });
			for (const [v, score] of [[sam, 6], [alex, 9], [coach, 6]] as const) await ok(v.action(`/summaries/${s2}?/rate`, { [`score.${goal}`]: String(score) }), 'rate after 2');
			const day2 = today();

			await ok(coach.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'completed', note: 'Both sessions held.', followUpMonths: '0' }), 'close');
			const evaluate = (v: Visitor, score: number, extra?: Record<string, string>) => ok(v.action(`/engagements/${engagementId}/closing?/evaluate`, evaluation(goal, score, extra)), 'evaluate');
			await evaluate(coach, 7, { reflection: FINAL_REFLECTION });
			await evaluate(sam, 8);
			await evaluate(alex, 1, { comment: ALEX_COMMENT });

			// The coach: every line, the close ratings once each, the reflections in their own section only.
			const coachCopy = await reportOf(coach, engagementId);
			expect(coachCopy.goals).toMatch(/^- \*\*Confident first 90 days \(by \d{4}-\d\d-\d\d\)\*\*: /);
			expect(linesOf(coachCopy.goals)).toEqual([
				`Baseline, ${day0}: Alex Coachee 1/10, Casey Coach 4/10, Sam Coachee 2/10.`,
				`Session 1 of 6, ${day1}: Alex Coachee 9/10, Casey Coach 5/10, Sam Coachee 5/10.`,
				`Session 2 of 6, ${day2}: Alex Coachee 9/10, Casey Coach 6/10, Sam Coachee 6/10.`,
				'At the close: Alex Coachee 1/10, Casey Coach 7/10, Sam Coachee 8/10.'
			]);
			for (const text of [SAM_HELPED, ALEX_HELPED, NOTE, ALEX_COMMENT]) expect(coachCopy.md).toContain(text);
			const coachFeedback = /## Feedback after sessions\n\n([\s\S]*?)\n\n## /.exec(coachCopy.md)?.[1] ?? '';
			expect(coachFeedback).not.toContain(REFLECTION);
			expect(coachCopy.md.slice(coachCopy.md.indexOf('## Your private reflections'))).toContain(REFLECTION);
			expect(coachCopy.md).toContain(FINAL_REFLECTION);

			// Sam: their own line and the coach's, as on their chart; Alex's never; no reflection.
			const samCopy = await reportOf(sam, engagementId);
			expect(linesOf(samCopy.goals)).toEqual([
				`Baseline, ${day0}: Casey Coach 4/10, Sam Coachee 2/10.`,
				`Session 1 of 6, ${day1}: Casey Coach 5/10, Sam Coachee 5/10.`,
				`Session 2 of 6, ${day2}: Casey Coach 6/10, Sam Coachee 6/10.`,
				'At the close: Casey Coach 7/10, Sam Coachee 8/10.'
			]);
			for (const secret of [REFLECTION, FINAL_REFLECTION, ALEX_HELPED, ALEX_COMMENT, 'Alex Coachee 9/10', 'Alex Coachee 1/10', '9/10', '1/10', '(2/5)']) expect(samCopy.md, secret).not.toContain(secret);
			for (const mine of [SAM_HELPED, NOTE]) expect(samCopy.md).toContain(mine);
			// The page and the PDF's source are the same cut: the web page says no more than the download.
			const samPage = await (await sam.get(`/engagements/${engagementId}/report`)).text();
			for (const secret of [REFLECTION, FINAL_REFLECTION, ALEX_HELPED, ALEX_COMMENT]) expect(samPage).not.toContain(secret);

			// Alex, the same the other way round.
			const alexCopy = await reportOf(alex, engagementId);
			expect(alexCopy.goals).toContain('At the close: Alex Coachee 1/10, Casey Coach 7/10.');
			for (const secret of [REFLECTION, FINAL_REFLECTION, SAM_HELPED, 'Sam Coachee']) expect(alexCopy.goals + alexCopy.md.slice(alexCopy.md.indexOf('## Feedback')), secret).not.toContain(secret);
			expect(alexCopy.md).toContain(ALEX_HELPED);

			// The sponsor's draft, which every coachee reads and any one may approve: the coach's close ratings only.
			const draft = await sponsorDraft(sam, engagementId);
			expect(draft.text).toContain('Confident first 90 days: Casey Coach 7');
			for (const theirs of ['Sam Coachee 8', 'Alex Coachee 1', SAM_HELPED, ALEX_HELPED, REFLECTION]) expect(draft.text, theirs).not.toContain(theirs);
			expect(await (await sponsor.get(`/sponsor/${engagementId}`)).text()).not.toContain('rated 0 to 10 at the close');
		}, 120_000);

		it('lets the sponsor see only the version the coachee approved, never the ratings over time or the feedback', async () => {
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
			const { sponsor } = await joinAsSponsor(server.url, coach, engagementId);
			const goal = await goalIdOf(coach, engagementId);
			const s1 = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: 'Notes', action: 'Action', privateNote: 'Private' });
			expect((await coachee.action(`/summaries/${s1}?/feedback`, { usefulness: '5', helped: SAM_HELPED, better: '' })).type).toBe('success');
			expect((await coach.action(`/summaries/${s1}?/feedback`, { reflection: REFLECTION, noteToCoachee: NOTE })).type).toBe('success');
			expect((await coachee.action(`/summaries/${s1}?/rate`, { [`score.${goal}`]: '3' })).type).toBe('success');
			expect((await coach.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'early_goals_met', note: 'Goal met.', followUpMonths: '0' })).type).toBe('success');
			expect((await coach.action(`/engagements/${engagementId}/closing?/evaluate`, evaluation(goal, 7, { reflection: FINAL_REFLECTION }))).type).toBe('success');
			expect((await coachee.action(`/engagements/${engagementId}/closing?/evaluate`, evaluation(goal, 8))).type).toBe('success');

			// The draft waits on the coachee's page: the close ratings once each, nothing from the sessions' feedback or progress over time.
			const { text: draft, update } = await sponsorDraft(coachee, engagementId);
			expect(draft).toContain('Confident first 90 days: Casey Coach 7, Sam Coachee 8');
			for (const secret of [SAM_HELPED, REFLECTION, FINAL_REFLECTION, NOTE, '3/10', 'Session 1 of 6']) expect(draft, secret).not.toContain(secret);
			expect(update).toBeDefined();

			const sponsorSees = async () => (await sponsor.get(`/sponsor/${engagementId}`)).text();
			expect(await sponsorSees()).not.toContain('rated 0 to 10 at the close');
			for (const p of ['report', 'report.md', 'report.pdf', 'closing']) expect((await sponsor.get(`/engagements/${engagementId}/${p}`)).status).toBe(404);
			const approved = 'APPROVED-8f3e: the coaching closed early with the goal met.';
			expect((await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: update!, decision: 'approve', text: approved })).type).toBe('success');
			const after = await sponsorSees();
			expect(after).toContain(approved);
			for (const secret of ['rated 0 to 10 at the close', SAM_HELPED, REFLECTION, FINAL_REFLECTION, NOTE]) expect(after, secret).not.toContain(secret);
		}, 120_000);
	});
}
