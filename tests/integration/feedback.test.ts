/**
 * Issue 14, part 1, through the real server on SQLite and PostgreSQL:
 * feedback after a session and who reads it (coach, coachee, sponsor, scheme
 * coordinator, stranger, signed out), editing one's answer, refusals, the
 * summary email's line and link, and goal progress rated on the engagement
 * page (baseline) and the summary page (after the session), with its
 * refusals and the series on the engagement page for coach and coachee
 * only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { coachingPair, joinAsSponsor, uniqueEmail, Visitor } from '../helpers/http.ts';
import { has, outboxMails, writeAndEndSession } from '../helpers/session-content.ts';

const HELPED = 'HELPED-3f1a-the-reframing-question';
const BETTER = 'BETTER-8c2d-more-time-for-actions';
const EDITED = 'EDITED-51b0-the-silence-helped-most';
const REFLECTION = 'REFLECTION-9e4b-coach-alone';
const NOTE = 'NOTE-27aa-for-the-coachee';
const COACHEE_ANSWERS = [HELPED, BETTER, EDITED];

const text = async (v: Visitor, path: string) => (await v.get(path)).text();

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`feedback and progress on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		}, 60_000);
		afterAll(async () => {
			await server?.cleanup();
		});

		it('keeps each answer to those who may read it, refuses everyone else, and draws both ratings for coach and coachee only', async () => {
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
			const { sponsor } = await joinAsSponsor(server.url, coach, engagementId);
			const stranger = new Visitor(server.url);
			await stranger.signUp('Stella Stranger', uniqueEmail('stella'));
			const coordinator = new Visitor(server.url);
			await coordinator.signUp('Cora Coordinator', uniqueEmail('cora'));
			const scheme = await coordinator.action('/schemes/new', { name: 'Leaders', purpose: 'Volunteer coaches for new managers.', kinds: 'both', areas: 'Leadership', covers: 'Work', excludes: 'Therapy', maxMonths: '6', expectedSessions: '6', frequency: 'monthly', sessionMinutes: '60' });
			expect(scheme.type, JSON.stringify(scheme)).toBe('redirect');
			const signedOut = new Visitor(server.url);

			// Baseline on the engagement page ("rate progress now" before any session): the goal's id comes from the form.
			const page = await text(coachee, `/engagements/${engagementId}`);
			expect(page).toContain('Rate progress now');
			expect(page).toContain('Baseline');
			const goalId = /name="score\.([a-z0-9-]+)"/.exec(page)?.[1];
			expect(goalId, 'the rating form names the goal').toBeTruthy();
			expect((await coachee.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', [`score.${goalId}`]: '3' })).type).toBe('success');
			expect((await coach.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', [`score.${goalId}`]: '5' })).type).toBe('success');
			// Out of range, a goal the contract does not have, nothing rated: refused with a reason.
			const high = await coachee.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', [`score.${goalId}`]: '11' });
			expect(high).toMatchObject({ type: 'failure', status: 400 });
			expect(high.data.error.message).toMatch(/from 0 to 10/);
			const unknown = await coachee.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', 'score.not-a-goal': '4' });
			expect(unknown).toMatchObject({ status: 400 });
			expect(unknown.data.error.message).toMatch(/not a goal of the contract in force/);
			expect(await coachee.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline' })).toMatchObject({ status: 400 });
			for (const outsider of [sponsor, stranger, coordinator]) {
				expect(await outsider.action(`/engagements/${engagementId}?/rate`, { moment: 'baseline', [`score.${goalId}`]: '9' })).toMatchObject({ status: 404 });
			}

			const summaryId = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: 'Shared note', action: 'An action', privateNote: 'A private note' });
			const summary = `/summaries/${summaryId}`;

			// The coachee: bad input refused, then answers; the coach: a reflection and a note.
			const tooUseful = await coachee.action(`${summary}?/feedback`, { usefulness: '7', helped: HELPED });
			expect(tooUseful).toMatchObject({ type: 'failure', status: 400 });
			expect(tooUseful.data.error.message).toMatch(/from 1 \(not at all\) to 5/);
			expect(await coachee.action(`${summary}?/feedback`, {})).toMatchObject({ status: 400 });
			expect((await coachee.action(`${summary}?/feedback`, { usefulness: '4', helped: HELPED, better: BETTER })).type).toBe('success');
			expect((await coach.action(`${summary}?/feedback`, { reflection: REFLECTION, noteToCoachee: NOTE })).type).toBe('success');
			// After the session, on its summary page: the rating belongs to this session.
			expect((await coachee.action(`${summary}?/rate`, { [`score.${goalId}`]: '6' })).type).toBe('success');
			expect((await coach.action(`${summary}?/rate`, { [`score.${goalId}`]: '4' })).type).toBe('success');
			expect(await coachee.action(`${summary}?/rate`, { [`score.${goalId}`]: '-1' })).toMatchObject({ status: 400 });

			// The coach reads the coachee's answers and their own reflection.
			const coachView = await text(coach, summary);
			expect(has(coachView, [HELPED, BETTER, REFLECTION, NOTE])).toEqual([HELPED, BETTER, REFLECTION, NOTE]);
			expect(coachView).toContain('Usefulness 4/5');
			// The coachee: their own answers and the coach's note, never the reflection.
			const coacheeView = await text(coachee, summary);
			expect(has(coacheeView, [HELPED, BETTER, NOTE])).toEqual([HELPED, BETTER, NOTE]);
			expect(coacheeView).not.toContain(REFLECTION);
			expect(coacheeView).toContain('Tell your coach how it went');
			expect(coachView).toContain('Add your reflection');

			// Editing one's own answer later replaces it.
			expect((await coachee.action(`${summary}?/feedback`, { usefulness: '5', helped: EDITED, better: '' })).type).toBe('success');
			const edited = await text(coach, summary);
			expect(edited).toContain(EDITED);
			expect(edited).not.toContain(HELPED);
			expect(edited).toContain('Usefulness 5/5');

			// Sponsor, scheme coordinator and stranger: 404 on the summary and engagement pages and on every form; nothing of the feedback anywhere they can go.
			for (const outsider of [sponsor, coordinator, stranger]) {
				for (const path of [summary, `/sessions/${sessionId}/summary`, `/engagements/${engagementId}`]) expect((await outsider.get(path)).status, path).toBe(404);
				for (const action of ['feedback', 'notThisTime', 'rate']) {
					expect(await outsider.action(`${summary}?/${action}`, { usefulness: '1', helped: 'x', reflection: 'x', [`score.${goalId}`]: '1' }), action).toMatchObject({ status: 404 });
				}
				for (const path of ['/', `/sponsor/${engagementId}`, '/outbox']) expect(has(await text(outsider, path), [...COACHEE_ANSWERS, REFLECTION, NOTE]), path).toEqual([]);
			}
			// The sponsor's own page has no progress: the contract has no choice that shares it.
			const sponsorPage = await text(sponsor, `/sponsor/${engagementId}`);
			expect(sponsorPage).not.toContain('Progress on the goals');
			// Signed out: sent to sign in, for the page and the forms.
			expect((await signedOut.get(summary)).status).toBe(303);
			expect(await signedOut.action(`${summary}?/feedback`, { helped: 'x' })).toMatchObject({ type: 'redirect' });

			// The engagement page draws both lines for coach and coachee: baseline 3 and 5, after session 1 6 and 4, a difference of 2.
			for (const v of [coach, coachee]) {
				const eng = await text(v, `/engagements/${engagementId}`);
				expect(eng).toContain('Progress on the goals');
				const table = /<table[^>]*data-testid="progress-table"[\s\S]*?<\/table>/.exec(eng)?.[0] ?? '';
				expect(table).toContain('Sam Coachee (coachee)');
				expect(table).toContain('Casey Coach (coach)');
				const cells = [...table.matchAll(/<td[^>]*>(?:<!--[^>]*-->)*([^<]*)/g)].map((m) => m[1]!.trim());
				expect(cells).toEqual(['3', '5', '2', '6', '4', '2']);
				expect(eng).toMatch(/Largest difference: 2 points \(Baseline\)/);
				// "Rate progress now" after a session rates that session.
				expect(eng).toMatch(/Rating for: <strong>Session 1 of 6<\/strong>/);
			}

			// The summary emails carry the line and link, beside the summary (which is unchanged).
			let mails = await outboxMails(server);
			for (let i = 0; i < 50 && mails.filter((m) => (m.subject ?? '').startsWith('Summary')).length < 2; i++) {
				await new Promise((r) => setTimeout(r, 200));
				mails = await outboxMails(server);
			}
			const toName = (m: (typeof mails)[number]) => [m.to].flat()[0]?.value[0]?.name ?? '';
			const asked = mails.filter((m) => (m.text ?? '').includes(`/summaries/${summaryId}#feedback`));
			expect(asked.map(toName).sort()).toEqual(['Casey Coach', 'Sam Coachee']);
			expect(asked.find((m) => toName(m) === 'Sam Coachee')?.text).toContain(`Tell your coach how it went: /summaries/${summaryId}#feedback`);
			expect(asked.find((m) => toName(m) === 'Casey Coach')?.text).toContain(`Add your reflection: /summaries/${summaryId}#feedback`);
			expect(has(mails.map((m) => `${m.text}\n${m.html || ''}`).join('\n'), [...COACHEE_ANSWERS, REFLECTION, NOTE])).toEqual([]);
		});
	});
}
