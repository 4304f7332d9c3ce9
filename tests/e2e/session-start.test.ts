/**
 * Issue 17 in the browser: opening a session booked a year ahead does not
 * start it; the page says when it opens, the coachee is told the coach can
 * start it earlier, and the coach's "Start the session now" starts it for
 * both (the coachee's notice goes away without a reload).
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverAndBrowser, newPerson, screenshot } from '../helpers/browser.ts';
import { coachingPair, type Visitor } from '../helpers/http.ts';

const app = serverAndBrowser();

async function personAs(visitor: Visitor, viewport?: { width: number; height: number }): Promise<Page> {
	const { context, page } = await newPerson(app.browser, app.server.url, viewport);
	const [name, value] = visitor.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.server.url }]);
	return page;
}

it('a session a year ahead stays scheduled when opened, says when it opens, and starts when the coach starts it', async () => {
	const pair = await coachingPair(app.server.url);
	const sessionId = await pair.coach.scheduleSession(pair.engagementId, 365 * 24 * 60);
	const coachee = await personAs(pair.coachee, { width: 390, height: 844 });
	await coachee.goto(`/sessions/${sessionId}`);
	const notice = coachee.getByTestId('session-opens');
	await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toMatch(/has not started\. It opens by itself at .+, a little before its booked time\./);
	expect(await notice.textContent()).toContain('Your coach can start it earlier.');
	await screenshot(coachee, 'session-opens-coachee-phone');
	const coach = await personAs(pair.coach);
	await coach.goto(`/sessions/${sessionId}`);
	const start = coach.getByRole('button', { name: 'Start the session now' });
	await start.waitFor({ timeout: 15_000 });
	await screenshot(coach, 'session-opens-coach');
	await start.click();
	await coach.getByTestId('session-opens').waitFor({ state: 'detached' });
	await notice.waitFor({ state: 'detached', timeout: 10_000 });
	await coach.context().close();
	await coachee.context().close();
});
