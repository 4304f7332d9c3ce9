/**
 * A coach signs up, creates an engagement, copies the invite link and
 * schedules a session; a coachee opens the link in their own browser, signs
 * up, joins; both dashboards show the engagement and the session.
 */
import { expect, it } from 'vitest';
import { finishSignUpInBrowser, hydrated, serverAndBrowser, newPerson, screenshot, signUpInBrowser } from '../helpers/browser.ts';
import { uniqueEmail } from '../helpers/http.ts';

const app = serverAndBrowser();

it('coach invites a coachee; both see the engagement and the scheduled session', async () => {
	const coach = await newPerson(app.browser, app.server.url);
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const c = coach.page;

	await signUpInBrowser(c, 'Casey Coach', uniqueEmail('casey'));
	await c.getByRole('link', { name: 'New engagement' }).click();
	await c.getByLabel('Title').fill('Finding my voice in meetings');
	await c.getByLabel('Goals').fill('Speak up at least once in every leadership meeting by March.');
	await c.getByLabel('Number of sessions').fill('6');
	await c.getByRole('button', { name: 'Create engagement' }).click();
	await c.waitForURL(/\/engagements\/[a-z2-7]{10,}$/);
	const engagementPath = new URL(c.url()).pathname;
	await c.getByRole('button', { name: 'Create invite link' }).click();
	const inviteUrl = await c.getByLabel(/Send this link/).inputValue();
	expect(inviteUrl).toMatch(/\/invite\/[a-z2-7]{32}$/);
	await c.getByRole('button', { name: 'Copy' }).click();
	await expect.poll(() => c.evaluate(() => navigator.clipboard.readText())).toBe(inviteUrl);

	// Before a contract is in force only an introductory meeting can be booked (issue 12).
	expect(await c.getByLabel(/^What/).inputValue()).toBe('introductory');
	await c.getByRole('button', { name: 'Schedule', exact: true }).click();
	await c.getByTestId('sessions').getByText('Introductory meeting').waitFor();
	await screenshot(c, 'foundation-coach-engagement');

	const p = coachee.page;
	await p.goto(inviteUrl);
	await p.getByText('Casey Coach invites you').waitFor();
	await screenshot(p, 'foundation-coachee-invite');
	await p.getByRole('link', { name: 'Create an account to join' }).click();
	await p.waitForURL(/\/signup/);
	await hydrated(p);
	await p.getByLabel('Your name').fill('Sam Coachee');
	const samEmail = uniqueEmail('sam');
	await p.getByLabel('Email').fill(samEmail);
	await p.getByLabel('Password').fill('another good password');
	await p.getByRole('button', { name: 'Create account' }).click();
	await finishSignUpInBrowser(p, samEmail);
	await p.getByRole('button', { name: 'Join the engagement' }).click();
	await p.waitForURL(/\/engagements\//);
	await p.getByTestId('members').getByText('Sam Coachee').waitFor();

	for (const page of [c, p]) {
		await page.goto('/');
		await page.getByTestId('engagements').getByText('Finding my voice in meetings').waitFor();
		await page.getByTestId('upcoming').getByText('Finding my voice in meetings').waitFor();
		expect(await page.getByTestId('upcoming').textContent()).toContain('Introductory meeting');
	}
	await screenshot(c, 'foundation-coach-dashboard');
	await screenshot(p, 'foundation-coachee-dashboard');

	// A third person gets nothing of it.
	const outsider = await newPerson(app.browser, app.server.url);
	await signUpInBrowser(outsider.page, 'Olly Outsider', uniqueEmail('olly'));
	const res = await outsider.page.goto(engagementPath);
	expect(res?.status()).toBe(404);
	expect(await outsider.page.textContent('body')).not.toContain('Finding my voice');
});

it('shows inline errors and keeps what was typed', async () => {
	const { page } = await newPerson(app.browser, app.server.url);
	await page.goto('/signup');
	await hydrated(page);
	await page.getByLabel('Your name').fill('Ria');
	await page.getByLabel('Email').fill('ria@example');
	await page.getByLabel('Password').fill('short');
	// Bypass the browser's own checks to see the server's messages.
	await page.evaluate(() => document.querySelector('form[method=POST]:not([action])')?.setAttribute('novalidate', ''));
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('alert').first().waitFor();
	// Every problem is shown at once, beside its field.
	expect(await page.getByRole('alert').allTextContents()).toEqual([
		'Enter a valid email address, like sam@example.org.',
		'Use at least 10 characters.'
	]);
	expect(await page.getByLabel('Your name').inputValue()).toBe('Ria');
	await screenshot(page, 'foundation-signup-error');
});
