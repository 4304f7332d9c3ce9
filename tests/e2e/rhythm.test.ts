/**
 * Issue 13 (the rhythm) in two browsers: the coach in London schedules the
 * contract's series from the Rhythm card; the coachee in New York reads
 * session 1 at their own wall time and prepares for it; the coach opens the
 * room and finds the preparation on the Agenda tab; an action agreed in
 * session 1 and updated by the coachee on the engagement page between
 * sessions arrives in session 2's "From last time", also in session 2's
 * room opened early, before the update was made.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { engagementWithCoachee, hydrated, newPerson, screenshot, serverAndBrowser, visitorOf } from '../helpers/browser.ts';
import { agreeContract } from '../helpers/http.ts';

const app = serverAndBrowser();
const DAY = 24 * 60 * 60_000;

/** What When.svelte shows for `at` to a reader in `timeZone` (en-GB). */
const wallTimeIn = (at: number, timeZone: string) => new Date(at).toLocaleString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });

async function sessionLinks(page: Page): Promise<string[]> {
	return page.getByTestId('sessions').getByRole('link', { name: /^Session \d of 3$/ }).evaluateAll((els) => els.map((e) => (e as HTMLAnchorElement).getAttribute('href') ?? ''));
}

it('coach schedules the series; the coachee in another zone prepares; the coach sees the agenda; an update between sessions shows next time', async () => {
	const coach = await newPerson(app.browser, app.server.url, undefined, { timezoneId: 'Europe/London', locale: 'en-GB' });
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 }, { timezoneId: 'America/New_York', locale: 'en-GB' });
	const c = coach.page;
	const p = coachee.page;

	const engagement = await engagementWithCoachee(c, p, { sessions: '3' });
	const engagementId = engagement.split('/').pop()!;
	const today = new Date().toISOString().slice(0, 10);
	await agreeContract({ visitor: await visitorOf(coach.context, app.server.url), name: 'Casey Coach' }, [{ visitor: await visitorOf(coachee.context, app.server.url), name: 'Sam Coachee' }], engagementId, {
		sessions: 3,
		change: (b) => Object.assign(b.plan, { frequency: 'weekly', startDate: today, endDate: new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10), sessionMinutes: 50 })
	});

	// The coach proposes the weekly series from the contract, looks at the dates, creates them at once.
	await c.goto(engagement);
	await hydrated(c);
	const card = c.getByTestId('rhythm');
	await card.getByText('3 sessions left, 50 minutes each').waitFor();
	await card.getByLabel('Time of day').fill('15:00');
	await card.getByLabel('First date').fill(new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10));
	await card.getByRole('button', { name: 'Propose dates' }).click();
	const draft = c.getByTestId('series-draft');
	await draft.waitFor();
	expect(await draft.locator('input[name="at"]').count()).toBe(3);
	await screenshot(c, 'rhythm-coach-series-draft');
	await draft.getByRole('button', { name: 'Create 3 sessions' }).click();
	await card.getByRole('status').getByText('3 sessions scheduled').waitFor();
	expect(await c.getByTestId('rhythm-glance').textContent()).toMatch(/0\s*held of\s*3\s*planned · 3\s*booked/);
	await screenshot(c, 'rhythm-coach-series-created');
	const [first, second] = await sessionLinks(c);
	expect(first).toMatch(/^\/sessions\/\w+$/);
	expect(second).toMatch(/^\/sessions\/\w+$/);

	// The coachee, in New York, reads session 1 at their own wall time and prepares for it.
	await p.goto(`${first}/prepare`);
	await hydrated(p);
	const when = p.locator('main time').first();
	const at = Date.parse((await when.getAttribute('datetime'))!);
	expect(wallTimeIn(at, 'America/New_York')).not.toBe(wallTimeIn(at, 'Europe/London'));
	await expect.poll(() => when.textContent()).toContain(wallTimeIn(at, 'America/New_York'));
	await p.getByLabel('What do I want from this session?').fill('A plan for the first team meeting');
	await p.getByLabel('Anything my coach should know?').fill('Two people on the team applied for my job');
	await p.getByRole('button', { name: 'Save preparation' }).click();
	await p.getByRole('status').getByText('Saved.').waitFor();
	await screenshot(p, 'rhythm-coachee-prepare-phone');

	// The coach sees the same session at London time, then the preparation as the agenda in the room.
	await c.goto(engagement);
	await hydrated(c);
	await expect.poll(() => c.getByTestId('sessions').locator('time').first().textContent()).toContain(wallTimeIn(at, 'Europe/London'));
	await c.goto(first!);
	// Booked hours ahead, outside its start window: the coach starts it now (opening the room alone does not).
	const startNow = c.getByTestId('session-opens').getByRole('button', { name: 'Start the session now' });
	if (await startNow.waitFor({ timeout: 10_000 }).then(() => true, () => false)) {
		await startNow.click();
		await c.getByTestId('session-opens').waitFor({ state: 'detached' });
	}
	await c.getByRole('tab', { name: 'Agenda' }).click();
	const agenda = c.getByTestId('agenda');
	await agenda.getByText('A plan for the first team meeting').waitFor();
	await agenda.getByText('Two people on the team applied for my job').waitFor();
	await screenshot(c, 'rhythm-coach-room-agenda');

	// Session 1 agrees one action, then ends.
	await c.getByRole('tab', { name: 'Actions & notes' }).click();
	const pad = c.getByTestId('shared-pad');
	await pad.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 15_000 });
	await pad.getByLabel('New action').fill('Ask each team member what the meeting is for');
	await pad.getByRole('button', { name: 'Add action' }).click();
	await pad.getByTestId('pad-status').getByText('Saved').waitFor();
	await expect.poll(() => c.getByRole('button', { name: 'End session' }).isEnabled(), { timeout: 20_000 }).toBe(true);
	await c.getByRole('button', { name: 'End session' }).click();
	await c.getByRole('dialog').getByRole('button', { name: /^End (session|anyway)$/ }).click();
	await c.waitForURL(/\/summaries\/[a-z2-7]+$/, { timeout: 15_000 });

	// The coach opens session 2's room early: "From last time" brings the action, still open.
	await c.goto(second!);
	const review = c.getByRole('region', { name: 'From last time' });
	const status = review.getByLabel(/Status of “Ask each team member what the meeting is for”/);
	await review.getByText('Ask each team member what the meeting is for', { exact: true }).waitFor({ timeout: 15_000 });
	expect(await status.inputValue()).toBe('open');

	// Between sessions the coachee updates it on the engagement page (the early room changes nothing there).
	await p.goto(engagement);
	await hydrated(p);
	const between = p.getByTestId('between-actions');
	await between.getByText('Ask each team member what the meeting is for', { exact: true }).waitFor();
	await between.getByLabel('Status of “Ask each team member what the meeting is for”').selectOption('done');
	await between.getByLabel('Comment on “Ask each team member what the meeting is for”').fill('Asked all six; they want decisions, not updates');
	await between.getByRole('button', { name: 'Update' }).click();
	await p.getByRole('status').getByText('Updated.').waitFor();
	await between.getByText('“Asked all six; they want decisions, not updates”').waitFor();
	await screenshot(p, 'rhythm-coachee-between-update-phone');

	// Session 2's "From last time" shows the update, in the room already open and after a reload.
	await review.getByTestId('between-update').getByText(/Asked all six; they want decisions, not updates/).waitFor({ timeout: 10_000 });
	expect(await status.inputValue()).toBe('done');
	await c.reload();
	await review.getByTestId('between-update').getByText(/Asked all six; they want decisions, not updates/).waitFor({ timeout: 15_000 });
	expect(await status.inputValue()).toBe('done');
	await screenshot(c, 'rhythm-coach-session2-from-last-time');
}, 180_000);
