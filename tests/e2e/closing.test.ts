/**
 * Issue 14, part 2, in two browsers: after a session is held the coach (on a
 * desktop) closes the engagement from its page, both give their final
 * evaluation (the coachee on a phone), and each reads the report in their
 * own copy: the coach's with the private reflection, the coachee's without.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { hydrated, screenshot, serverAndBrowser, signedInPerson } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();

/** Ticks one answer per question of the final evaluation (each question is a group of radio buttons). */
async function answer(form: Locator, answers: [question: string, answer: string][]) {
	for (const [question, choice] of answers) await form.getByRole('group', { name: question }).getByLabel(choice).check();
}
const REFLECTION = 'I held back advice well; next time I will contract the ending earlier.';
const LEARNING = 'Asking the team first makes the meeting theirs.';

it('the coach closes, both evaluate, and each reads their copy of the report', async () => {
	const pair = await coachingPair(app.server.url);
	await writeAndEndSession(app.server.url, pair.coach.cookie, pair.sessionId, { note: 'Notes', action: 'Book the next team meeting', privateNote: 'Private', learning: LEARNING, doneAction: 'Ask each person for one agenda item' });
	const upcoming = await pair.coach.scheduleSession(pair.engagementId, 3 * 24 * 60);
	const coach = await signedInPerson(app.browser, app.server.url, pair.coach);
	const coachee = await signedInPerson(app.browser, app.server.url, pair.coachee, { width: 390, height: 844 });
	const c = coach.page;
	const p = coachee.page;

	await c.goto(`/engagements/${pair.engagementId}`);
	await hydrated(c);
	await c.getByTestId('closing-card').getByRole('link', { name: 'Close the engagement' }).click();
	await c.waitForURL(/\/closing$/);
	await hydrated(c);
	await c.getByText('the 1 booked session is cancelled').waitFor();
	await c.getByLabel('Closed early: the goals are met').check();
	await c.getByLabel(/In a few words/).fill('Sam leads the weekly meeting with confidence; we agreed to stop after one session.');
	await c.getByLabel(/Follow-up/).selectOption('3');
	await screenshot(c, 'closing-close-desktop');
	await c.getByRole('button', { name: 'Close the engagement' }).click();
	await c.getByTestId('closed').waitFor();

	// The coach's evaluation, with the private reflection.
	const form = c.getByTestId('evaluation-form');
	await answer(form, [['Were you able to help?', '4 · Mostly'], ['Did the coaching aid the coachee’s learning?', '4 · Mostly'], ['Did the coachee gain what they hoped to gain?', '5 · Completely'], ['Has it fed back into their organisation and affected their work performance?', '3 · Somewhat']]);
	await form.getByLabel('Confident first 90 days').fill('8');
	await form.getByLabel(/Your own reflection/).fill(REFLECTION);
	await screenshot(c, 'closing-evaluate-desktop');
	await form.getByRole('button', { name: 'Give my evaluation' }).click();
	await c.getByTestId('evaluated').getByText('you').waitFor();
	expect(await form.count()).toBe(0);

	// The coachee, on a phone: the engagement shows closed, with the booked session cancelled.
	await p.goto(`/engagements/${pair.engagementId}`);
	await hydrated(p);
	await p.getByTestId('closed-badge').waitFor();
	await p.getByTestId(`session-${upcoming}`).getByText('cancelled').first().waitFor();
	await screenshot(p, 'closing-engagement-phone');
	await p.getByTestId('closing-card').getByRole('link', { name: 'Give your final evaluation' }).click();
	await p.waitForURL(/\/closing$/);
	await hydrated(p);
	const mine = p.getByTestId('evaluation-form');
	await answer(mine, [['Was your coach helpful?', '5 · Completely'], ['Did they aid your learning?', '4 · Mostly'], ['Did you gain what you hoped to gain?', '4 · Mostly'], ['Has this fed back into your organisation and affected your work performance?', '4 · Mostly']]);
	expect(await mine.getByLabel(/Your own reflection/).count()).toBe(0);
	await mine.getByLabel('Confident first 90 days').fill('7');
	await mine.getByLabel(/A comment for the report/).fill('The questions made me think; thank you.');
	await screenshot(p, 'closing-evaluate-phone');
	await mine.getByRole('button', { name: 'Give my evaluation' }).click();
	await p.getByTestId('evaluated').getByText('Casey Coach, you').waitFor();
	expect(await mine.count()).toBe(0);

	// Each reads their own copy.
	await p.getByRole('link', { name: 'The engagement report' }).click();
	await p.waitForURL(/\/report$/);
	await p.getByText(LEARNING).waitFor();
	await p.getByText(/Sam Coachee 7\/10/).waitFor();
	expect(await p.textContent('body')).not.toContain(REFLECTION);
	await screenshot(p, 'closing-report-phone');

	await c.goto(`/engagements/${pair.engagementId}/report`);
	await hydrated(c);
	await c.getByText(REFLECTION).waitFor();
	await c.getByText('The questions made me think; thank you.').waitFor();
	await expect.poll(async () => (await c.reload(), await c.textContent('body')), { timeout: 20_000 }).toMatch(/Emailed to both on/);
	await screenshot(c, 'closing-report-desktop');
	await c.emulateMedia({ media: 'print' });
	await screenshot(c, 'closing-report-print');
	await c.emulateMedia({ media: 'screen' });

	// The PDF as a person downloads it, kept beside the screenshots to look at (pdftoppm -png).
	const pdf = await pair.coach.get(`/engagements/${pair.engagementId}/report.pdf`);
	expect(pdf.headers.get('content-disposition')).toMatch(/attachment; filename="leading-the-new-team-report\.pdf"/);
	fs.writeFileSync(path.join(path.dirname(await screenshot(c, 'closing-report-desktop')), 'closing-report.pdf'), Buffer.from(await pdf.arrayBuffer()));

	await c.goto(`/engagements/${pair.engagementId}`);
	await c.getByTestId('closing-card').getByRole('link', { name: 'The engagement report' }).waitFor();
	await screenshot(c, 'closing-engagement-desktop');
	await c.goto('/');
	await c.getByTestId('engagements').getByText('closed').waitFor();
	await screenshot(c, 'closing-dashboard-desktop');
	await coach.context.close();
	await coachee.context.close();
});
