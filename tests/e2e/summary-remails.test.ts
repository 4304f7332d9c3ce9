/**
 * Issue 17 in the browser: the correction form says how many times a
 * correction can still email the summary today; once none is left, the
 * email box is off and says why, and a correction is saved without email.
 */
import { expect, it } from 'vitest';
import { serverAndBrowser, screenshot, signedInPerson } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();

it('the correction form counts the emails left, and past the limit saves without emailing', async () => {
	const { coach, coachee, sessionId } = await coachingPair(app.server.url);
	let latest = await writeAndEndSession(app.server.url, coach.cookie, sessionId, { note: 'n', action: 'Book a 1:1', privateNote: 'p' });
	const { context, page } = await signedInPerson(app.browser, app.server.url, coach);
	await page.goto(`/summaries/${latest}/correct`);
	expect(await page.locator('#mails-left').textContent()).toContain('email this summary again 3 more times today');
	await screenshot(page, 'summary-correct-mails-left');

	// Three emailed corrections, as the form sends them.
	for (let n = 1; n <= 3; n++) {
		const r = await coach.action(`/summaries/${latest}/correct`, { action_id_0: '', action_text_0: `Book a 1:1 (${n})`, action_owner_0: 'Both', action_due_0: '', action_status_0: 'open', learningPoints: '', notes: `notes ${n}`, privateNotes: '', note: `correction ${n}`, notify: 'on' });
		expect(r.type, JSON.stringify(r)).toBe('redirect');
		latest = r.location!.split('/').pop()!;
	}
	for (const [width, height, name] of [[1280, 800, 'summary-correct-no-mails'], [390, 844, 'summary-correct-no-mails-phone']] as const) {
		await page.setViewportSize({ width, height });
		await page.goto(`/summaries/${latest}/correct`);
		await expect.poll(() => page.getByLabel('Email the corrected summary to everyone').isDisabled()).toBe(true);
		expect(await page.locator('#mails-left').textContent()).toMatch(/emailed again 3 times in the last 24 hours.+saved without emailing.+in about \d+ hours?/s);
		await screenshot(page, name);
	}
	await page.fill('#note', 'one more date fixed');
	await page.fill('#notes', 'Saved without an email');
	await page.getByRole('button', { name: /Save version/ }).click();
	await page.waitForURL(/\/summaries\/[a-z2-7]+$/);
	expect(await page.textContent('body')).toContain('Saved without an email');
	expect(page.url()).not.toContain(latest);
	const v = page.url().split('/').pop()!;
	expect((await coachee.get(`/summaries/${v}`)).status).toBe(200);
	await context.close();
}, 180_000);
