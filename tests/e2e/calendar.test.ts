/**
 * Issue 13 (time zones, moving a session): a coach whose browser is in
 * London and a coachee whose browser is in New York each sign up (the zone
 * comes from the browser), the coach books a meeting at 15:00 London time,
 * each sees their own wall time for it; the coachee moves it with a reason
 * in their own time, and the coach sees the new time and the reason, then
 * cancels it. The settings page makes a private calendar feed address.
 */
import { expect, it } from 'vitest';
import { engagementWithCoachee, hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';

const app = serverAndBrowser();

it('a coach in London and a coachee in New York each see their own wall time, and the coachee moves the session', async () => {
	const coach = await newPerson(app.browser, app.server.url, { width: 1280, height: 900 }, { timezoneId: 'Europe/London' });
	const coachee = await newPerson(app.browser, app.server.url, { width: 1280, height: 900 }, { timezoneId: 'America/New_York' });
	const c = coach.page;
	const p = coachee.page;
	// A summer date a year or so ahead (BST in London, EDT in New York), whatever today is.
	const year = new Date().getUTCFullYear() + 1;

	// Both sign up in their own browser (the zone comes from it); the coachee joins through the invite.
	const engagement = await engagementWithCoachee(c, p);
	await c.goto('/settings');
	expect(await c.getByLabel('Your time zone').inputValue()).toBe('Europe/London');

	// The coach books an introductory meeting at 15:00 on 1 July, London time.
	await c.goto(engagement);
	await hydrated(c);
	await c.getByLabel(/^Date and time/).fill(`${year}-07-01T15:00`);
	await c.getByRole('button', { name: 'Schedule' }).click();
	const coachSession = c.getByTestId('sessions').locator('li').first();
	await expect.poll(() => coachSession.textContent(), { timeout: 10_000 }).toContain('15:00 BST');
	expect(await coachSession.textContent()).toContain('1 Jul');

	// The same instant is 10:00 in New York.
	await p.goto(engagement);
	await hydrated(p);
	const samSession = p.getByTestId('sessions').locator('li').first();
	expect(await samSession.textContent()).toContain('10:00 GMT-4 (New York)');
	await screenshot(c, 'calendar-coach-london');
	await screenshot(p, 'calendar-coachee-new-york');
	// Sam's invite arrived (the local outbox, as the Mailbox lists it), in Sam's time.
	await p.goto('/outbox');
	await expect.poll(async () => (await p.getByTestId('outbox').textContent()) ?? '', { timeout: 10_000 }).toContain('Invitation: Leading the team: Introductory meeting');
	await screenshot(p, 'calendar-coachee-mailbox');
	await p.goto(engagement);
	await hydrated(p);

	// Sam moves it to 09:00 on 2 July, New York time, and says why.
	await samSession.getByText('Move or cancel').click();
	await screenshot(p, 'calendar-move-form');
	expect(await samSession.getByLabel('New date and time').inputValue()).toBe(`${year}-07-01T10:00`);
	await samSession.getByLabel('New date and time').fill(`${year}-07-02T09:00`);
	await samSession.getByLabel(/^Why \(/).fill('A clash with the quarterly review');
	await samSession.getByRole('button', { name: 'Move the session' }).click();
	await expect.poll(() => samSession.textContent(), { timeout: 10_000 }).toContain('09:00 GMT-4 (New York)');
	await screenshot(p, 'calendar-coachee-moved');

	// The coach reads 14:00 London time, and why.
	await c.reload();
	const moved = c.getByTestId('sessions').locator('li').first();
	expect(await moved.textContent()).toContain('14:00 BST');
	expect(await moved.getByTestId('change-reason').textContent()).toContain('Moved by Sam Coachee: “A clash with the quarterly review”');

	// The coach cancels it; Sam sees it struck through with the reason, and its room is gone.
	const sessionHref = await moved.getByRole('link', { name: 'Introductory meeting' }).getAttribute('href');
	await moved.getByText('Move or cancel').click();
	await moved.getByLabel(/^Why cancel/).fill('We agreed to start in September');
	await moved.getByRole('button', { name: 'Cancel the session' }).click();
	await expect.poll(() => moved.textContent(), { timeout: 10_000 }).toContain('cancelled');
	await p.reload();
	const cancelled = p.getByTestId('sessions').locator('li').first();
	expect(await cancelled.getByTestId('change-reason').textContent()).toContain('Cancelled by Casey Coach: “We agreed to start in September”');
	expect(await cancelled.getByText('Move or cancel').count()).toBe(0);
	await screenshot(p, 'calendar-coachee-cancelled');
	await p.goto(sessionHref!);
	await p.waitForURL((u) => u.pathname === engagement);

	// A private feed address from the settings page answers with the session; switched off, it is refused.
	await c.goto('/settings');
	await hydrated(c);
	await c.getByRole('button', { name: 'Make my feed address' }).click();
	const feedUrl = await c.getByLabel(/Your feed address/).inputValue();
	await screenshot(c, 'calendar-settings-feed');
	const feed = await fetch(feedUrl);
	expect(feed.status).toBe(200);
	expect(feed.headers.get('content-type')).toContain('text/calendar');
	expect(await feed.text()).toContain('METHOD:PUBLISH');
	await c.reload();
	await c.getByRole('button', { name: 'Switch the feed off' }).click();
	await c.getByText('Your feed is switched off').waitFor();
	expect((await fetch(feedUrl)).status).toBe(404);

	await coach.context.close();
	await coachee.context.close();
});
