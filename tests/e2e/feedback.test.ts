/**
 * After a session, in real browsers: the coach rates the baseline on the
 * engagement page; the session ends; the coachee, on a phone, answers the
 * feedback questions and rates the goal on the summary page; the coach
 * reads the answers, adds a reflection and rates too, then sees the chart
 * (and its table) on the engagement page, at desktop and phone widths. The
 * chart library is fetched on the engagement page only.
 */
import { expect, it } from 'vitest';
import { serverAndBrowser, screenshot, signedInPerson, hydrated } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();

it('the coachee gives feedback and ratings; the coach sees them and the chart', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await signedInPerson(app.browser, app.server.url, pair.coach);
	const coachee = await signedInPerson(app.browser, app.server.url, pair.coachee, { width: 390, height: 844 });
	const c = coach.page;
	const p = coachee.page;
	const scripts = (page: typeof c) => {
		const seen: string[] = [];
		page.on('response', (r) => {
			if (['script', 'stylesheet'].includes(r.request().resourceType())) seen.push(r.url());
		});
		return seen;
	};
	const coachScripts = scripts(c);
	const coacheeScripts = scripts(p);

	// The baseline, before any session: "Rate progress now" on the engagement page.
	await c.goto(`/engagements/${pair.engagementId}`);
	await hydrated(c);
	const rateNow = c.getByTestId('rate-progress');
	await rateNow.getByText('Baseline').waitFor();
	await rateNow.getByLabel('Confident first 90 days').selectOption('5');
	await rateNow.getByRole('button', { name: 'Save ratings' }).click();
	await rateNow.getByText('Ratings saved.').waitFor();
	expect((await pair.coachee.action(`/engagements/${pair.engagementId}?/rate`, { moment: 'baseline', [`score.${await goalId(c)}`]: '2' })).type).toBe('success');

	const summaryId = await writeAndEndSession(app.server.url, pair.coach.cookie, pair.sessionId, { note: 'We talked about the first team meeting.', action: 'Plan the first meeting', privateNote: 'Coach only' });

	// The coachee on a phone: feedback, then where the goal stands now.
	await p.goto(`/summaries/${summaryId}`);
	await hydrated(p);
	const form = p.getByTestId('feedback');
	await form.getByRole('heading', { name: 'Tell your coach how it went' }).waitFor();
	await form.getByRole('radio', { name: /4 Very useful/ }).check();
	await form.getByLabel('What helped?').fill('The question about what a good first meeting looks like.');
	await form.getByLabel('What could be better?').fill('A little more time for the actions at the end.');
	await form.getByRole('button', { name: 'Send feedback' }).click();
	await form.getByText('Saved.').waitFor();
	const rate = p.getByTestId('rate-progress');
	await rate.getByText('Session 1 of 6').waitFor();
	await rate.getByLabel('Confident first 90 days').selectOption('7');
	await rate.getByRole('button', { name: 'Save ratings' }).click();
	await rate.getByText('Ratings saved.').waitFor();
	await screenshot(p, 'feedback-coachee-summary-phone');

	// The coach reads it, writes a reflection and a note, and rates the goal lower than the coachee did.
	await c.goto(`/summaries/${summaryId}`);
	await hydrated(c);
	const theirs = c.getByTestId('coachee-feedback');
	await theirs.getByText('Usefulness 4/5').waitFor();
	await theirs.getByText('The question about what a good first meeting looks like.').waitFor();
	const mine = c.getByTestId('feedback');
	await mine.getByLabel(/My reflection/).fill('I rushed the close; leave ten minutes for actions next time.');
	await mine.getByLabel(/A note to my coachee/).fill('Good work naming what you want from the team.');
	await mine.getByRole('button', { name: 'Send feedback' }).click();
	await mine.getByText('Saved.').waitFor();
	await c.getByTestId('rate-progress').getByLabel('Confident first 90 days').selectOption('4');
	await c.getByTestId('rate-progress').getByRole('button', { name: 'Save ratings' }).click();
	await c.getByTestId('rate-progress').getByText('Ratings saved.').waitFor();
	await screenshot(c, 'feedback-coach-summary-desktop');

	// The coachee sees the note, never the reflection.
	await p.reload();
	await p.getByTestId('note-from-coach').getByText('Good work naming what you want from the team.').waitFor();
	expect(await p.content()).not.toContain('I rushed the close');

	// The chart on the engagement page: both lines drawn, the difference stated, the table behind a toggle.
	await c.goto(`/engagements/${pair.engagementId}`);
	await hydrated(c);
	const progress = c.getByTestId('progress');
	await progress.locator('.uplot canvas').first().waitFor();
	await progress.getByText('Largest difference: 3 points (Baseline).').waitFor();
	// The table is there for screen readers, but takes no room on screen until asked for.
	expect(await progress.getByTestId('progress-table-box').evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
	await progress.scrollIntoViewIfNeeded();
	await screenshot(c, 'feedback-engagement-chart-desktop');
	await progress.getByRole('button', { name: 'Show as a table' }).click();
	const table = progress.getByRole('table', { name: /Ratings of “Confident first 90 days”/ });
	await table.waitFor();
	const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr.querySelector('th')?.textContent ?? '').split('·')[0]!.trim(), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())]));
	// Coachee, coach, and the difference, per moment.
	expect(rows).toEqual([
		['Baseline', '2', '5', '3'],
		['Session 1 of 6', '7', '4', '3']
	]);
	await progress.getByRole('button', { name: 'Show as a chart' }).click();

	// The coachee's phone: the same chart fits 390 px. The chart library (its script is a hashed chunk; its stylesheet is named
	// after it and comes with it) was fetched by no page before this one.
	const isChart = (u: string) => /\/uPlot\.[\w-]+\.css$/.test(u);
	expect(coacheeScripts.length).toBeGreaterThan(0);
	expect(coacheeScripts.filter(isChart)).toEqual([]);
	await p.goto(`/engagements/${pair.engagementId}`);
	await hydrated(p);
	const small = p.getByTestId('progress');
	await small.locator('.uplot canvas').first().waitFor();
	await screenshot(p, 'feedback-engagement-chart-phone');
	// The card and the chart inside it stay within the phone's 390 px (the site header's own overflow is not this page's).
	for (const el of [small, small.locator('.uplot').first(), small.locator('.uplot canvas').first()]) {
		await expect.poll(() => el.evaluate((e) => e.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
	}

	expect(coacheeScripts.some(isChart)).toBe(true);
	expect(coachScripts.some(isChart)).toBe(true);
	await coach.context.close();
	await coachee.context.close();
}, 180_000);

async function goalId(page: import('playwright-core').Page): Promise<string> {
	const name = await page.getByTestId('rate-progress').locator('select').first().getAttribute('name');
	return name!.slice('score.'.length);
}
