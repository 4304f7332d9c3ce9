/**
 * Issue 14 end to end, in two browsers (the coach on a desktop, the coachee
 * on a 390 px phone): a baseline, two sessions held, both rate the goal
 * after each, the coachee gives feedback and the coach writes a private
 * reflection; the coach closes, both evaluate with a rating of the goal.
 * Then what each person sees: the chart with the close ratings on it (and
 * its table), and the report in each copy, its ratings over time from the
 * progress feature and each close rating once; the coach's copy with the
 * private reflections, the coachee's without. Screenshots of the chart and
 * the report at both widths.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { hydrated, screenshot, serverAndBrowser, signedInPerson } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();

const GOAL = 'Confident first 90 days';
const REFLECTION = 'I talked too much in the middle; more silence next time.';
const FINAL_REFLECTION = 'Contracting the ending early helped us both.';
const HELPED = 'Naming the one meeting I dread.';
const NOTE = 'You found your own answer today.';

/** The page and, beside it, the one card, to look at. */
async function shots(page: Page, card: Locator, name: string) {
	const file = await screenshot(page, name);
	await card.screenshot({ path: path.join(path.dirname(file), `${name}-card.png`) });
}

/** Ticks one answer per question of the final evaluation (each question is a group of radio buttons). */
async function answer(form: Locator, answers: [question: string, answer: string][]) {
	for (const [question, choice] of answers) await form.getByRole('group', { name: question }).getByLabel(choice).check();
}

async function rateOnSummary(page: Page, summaryId: string, score: string) {
	await page.goto(`/summaries/${summaryId}`);
	await hydrated(page);
	const rate = page.getByTestId('rate-progress');
	await rate.getByLabel(GOAL).selectOption(score);
	await rate.getByRole('button', { name: 'Save ratings' }).click();
	await rate.getByText('Ratings saved.').waitFor();
}

/** How often `needle` occurs in the page's text. */
const count = async (page: Page, needle: string) => ((await page.locator('main').innerText()).split(needle).length - 1);

it('two sessions with ratings and feedback, the close and both evaluations: the chart and both copies of the report', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await signedInPerson(app.browser, app.server.url, pair.coach);
	const coachee = await signedInPerson(app.browser, app.server.url, pair.coachee, { width: 390, height: 844 });
	const c = coach.page;
	const p = coachee.page;

	// The baseline, from the engagement page's "Rate progress now".
	for (const [page, score] of [[c, '4'], [p, '2']] as const) {
		await page.goto(`/engagements/${pair.engagementId}`);
		await hydrated(page);
		const rate = page.getByTestId('rate-progress');
		await rate.getByText('Baseline').waitFor();
		await rate.getByLabel(GOAL).selectOption(score);
		await rate.getByRole('button', { name: 'Save ratings' }).click();
		await rate.getByText('Ratings saved.').waitFor();
	}

	// Session 1: the coachee's feedback and rating on the phone; the coach's reflection and rating.
	const first = await writeAndEndSession(app.server.url, pair.coach.cookie, pair.sessionId, { note: 'The first team meeting.', action: 'Draft the agenda', privateNote: 'Coach only', learning: 'Ask before telling.' });
	await p.goto(`/summaries/${first}`);
	await hydrated(p);
	const feedback = p.getByTestId('feedback');
	await feedback.getByRole('radio', { name: /4 Very useful/ }).check();
	await feedback.getByLabel('What helped?').fill(HELPED);
	await feedback.getByRole('button', { name: 'Send feedback' }).click();
	await feedback.getByText('Saved.').waitFor();
	await rateOnSummary(p, first, '5');
	await c.goto(`/summaries/${first}`);
	await hydrated(c);
	const mine = c.getByTestId('feedback');
	await mine.getByLabel(/My reflection/).fill(REFLECTION);
	await mine.getByLabel(/A note to my coachee/).fill(NOTE);
	await mine.getByRole('button', { name: 'Send feedback' }).click();
	await mine.getByText('Saved.').waitFor();
	await rateOnSummary(c, first, '4');

	// Session 2, booked and held after the first; both rate again.
	const booked = await pair.coach.scheduleSession(pair.engagementId, 120);
	const second = await writeAndEndSession(app.server.url, pair.coach.cookie, booked, { note: 'The meeting went well.', action: 'Delegate the minutes', privateNote: 'Coach only', doneAction: 'Sent the agenda' });
	await rateOnSummary(p, second, '7');
	await rateOnSummary(c, second, '6');

	// The coach closes early; both give their final evaluation with a rating of the goal.
	await c.goto(`/engagements/${pair.engagementId}/closing`);
	await hydrated(c);
	await c.getByLabel('Closed early: the goals are met').check();
	await c.getByLabel(/In a few words/).fill('Sam runs the meeting with confidence after two sessions.');
	await c.getByRole('button', { name: 'Close the engagement' }).click();
	await c.getByTestId('closed').waitFor();
	const form = c.getByTestId('evaluation-form');
	await answer(form, [['Were you able to help?', '4 · Mostly'], ['Did the coaching aid the coachee’s learning?', '4 · Mostly'], ['Did the coachee gain what they hoped to gain?', '5 · Completely'], ['Has it fed back into their organisation and affected their work performance?', '3 · Somewhat']]);
	await form.getByLabel(GOAL).fill('8');
	await form.getByLabel(/Your own reflection/).fill(FINAL_REFLECTION);
	await form.getByRole('button', { name: 'Give my evaluation' }).click();
	await c.getByTestId('evaluated').getByText('you').waitFor();
	await p.goto(`/engagements/${pair.engagementId}/closing`);
	await hydrated(p);
	const theirs = p.getByTestId('evaluation-form');
	await answer(theirs, [['Was your coach helpful?', '5 · Completely'], ['Did they aid your learning?', '4 · Mostly'], ['Did you gain what you hoped to gain?', '5 · Completely'], ['Has this fed back into your organisation and affected your work performance?', '4 · Mostly']]);
	await theirs.getByLabel(GOAL).fill('9');
	await theirs.getByRole('button', { name: 'Give my evaluation' }).click();
	await p.getByTestId('evaluated').getByText('Casey Coach, you').waitFor();

	// The chart on the engagement page: the close ratings are its last moment, in the table as on the chart.
	const expectedRows = [
		['Baseline', '2', '4', '2'],
		['Session 1 of 6', '5', '4', '1'],
		['Session 2 of 6', '7', '6', '1'],
		['At close', '9', '8', '1']
	];
	for (const [page, name] of [[c, 'outcomes-chart-desktop'], [p, 'outcomes-chart-phone']] as const) {
		await page.goto(`/engagements/${pair.engagementId}`);
		await hydrated(page);
		const progress = page.getByTestId('progress');
		await progress.locator('.uplot canvas').first().waitFor();
		await progress.scrollIntoViewIfNeeded();
		// Closed: the goals were rated at close with the evaluation; nothing offers to rate the last session again.
		expect(await page.getByTestId('rate-progress').count()).toBe(0);
		await shots(page, progress, name);
		// On the phone the card and its chart stay within 390 px.
		if (page === p) for (const el of [progress, progress.locator('.uplot').first()]) expect(await el.evaluate((e) => e.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
		await progress.getByRole('button', { name: 'Show as a table' }).click();
		const table = progress.getByRole('table', { name: new RegExp(`Ratings of “${GOAL}”`) });
		await table.waitFor();
		const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr.querySelector('th')?.textContent ?? '').split('·')[0]!.trim(), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())]));
		expect(rows).toEqual(expectedRows);
		// The table never overflows its card (on a phone it scrolls sideways inside it, nothing cut off).
		expect(await progress.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
		await shots(page, progress, `${name}-table`);
	}

	// The coachee's copy of the report: the ratings over time, each close rating once, their feedback and the coach's note; no reflection.
	await p.goto(`/engagements/${pair.engagementId}/report`);
	await hydrated(p);
	const goals = (page: Page) => page.getByTestId('report-section').filter({ has: page.getByRole('heading', { name: 'Goals and their progress' }) });
	for (const line of [/Baseline, [\d-]+: Casey Coach 4\/10, Sam Coachee 2\/10\./, /Session 1 of 6, [\d-]+: Casey Coach 4\/10, Sam Coachee 5\/10\./, /Session 2 of 6, [\d-]+: Casey Coach 6\/10, Sam Coachee 7\/10\./, /At the close: Casey Coach 8\/10, Sam Coachee 9\/10\./]) {
		await expect.poll(() => goals(p).innerText()).toMatch(line);
	}
	for (const once of ['Sam Coachee 9/10', 'Casey Coach 8/10']) expect(await count(p, once), once).toBe(1);
	const held = p.getByTestId('report-section').filter({ has: p.getByRole('heading', { name: 'Sessions held' }) });
	expect(await held.locator('li').allInnerTexts()).toEqual([expect.stringMatching(/^Session 1: /), expect.stringMatching(/^Session 2: /)]);
	await p.getByText(HELPED).waitFor();
	await p.getByText(NOTE).waitFor();
	const coacheeFeedback = p.getByTestId('report-section').filter({ has: p.getByRole('heading', { name: 'Feedback after sessions' }) });
	expect(await coacheeFeedback.locator('li').allInnerTexts()).toEqual([`Session 1, Sam Coachee (4/5): ${HELPED}`, `Session 1, Casey Coach: ${NOTE}`]);
	const coacheeText = await p.locator('main').innerText();
	for (const secret of [REFLECTION, FINAL_REFLECTION, 'Coach only']) expect(coacheeText).not.toContain(secret);
	await shots(p, goals(p), 'outcomes-report-phone');

	// The coach's copy: the same ratings, with both reflections in their own section only.
	await c.goto(`/engagements/${pair.engagementId}/report`);
	await hydrated(c);
	await expect.poll(() => goals(c).innerText()).toMatch(/At the close: Casey Coach 8\/10, Sam Coachee 9\/10\./);
	for (const once of ['Sam Coachee 9/10', 'Casey Coach 8/10']) expect(await count(c, once), once).toBe(1);
	const reflections = c.getByTestId('report-section').filter({ has: c.getByRole('heading', { name: /Your private reflections/ }) });
	await reflections.getByText(REFLECTION).waitFor();
	await reflections.getByText(FINAL_REFLECTION).waitFor();
	const feedbackSection = c.getByTestId('report-section').filter({ has: c.getByRole('heading', { name: 'Feedback after sessions' }) });
	await feedbackSection.getByText(HELPED).waitFor();
	// Both copies list a session's feedback in one order: the coachee's answer, then the coach's note.
	expect(await feedbackSection.locator('li').allInnerTexts()).toEqual([`Session 1, Sam Coachee (4/5): ${HELPED}`, `Session 1, Casey Coach: ${NOTE}`]);
	expect(await feedbackSection.innerText()).not.toContain(REFLECTION);
	await shots(c, goals(c), 'outcomes-report-desktop');
	// The PDF as the coach downloads it, kept beside the screenshots to look at (pdftoppm -png).
	const pdf = await pair.coach.get(`/engagements/${pair.engagementId}/report.pdf`);
	expect(pdf.headers.get('content-type')).toBe('application/pdf');
	fs.writeFileSync(path.join(path.dirname(await screenshot(c, 'outcomes-report-desktop')), 'outcomes-report.pdf'), Buffer.from(await pdf.arrayBuffer()));
	await coach.context.close();
	await coachee.context.close();
}, 240_000);
