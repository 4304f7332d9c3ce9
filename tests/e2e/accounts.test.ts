/**
 * Accounts in the browser (issue 17): signing up through the link mailed to
 * the address, resetting a forgotten password (which signs out every other
 * device), and signing a device out from the devices page, which closes
 * that device's pad in its open tab at once.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { finishSignUpInBrowser, hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';
import { Visitor, agreeContract, uniqueEmail } from '../helpers/http.ts';
import { linkFor } from '../helpers/mailbox.ts';
import { padClient, until } from '../helpers/pad.ts';
import { readActions } from '../../shared/pad/index.ts';

const app = serverAndBrowser();

async function withCookie(visitor: Visitor): Promise<Page> {
	const person = await newPerson(app.browser, app.server.url);
	const [name, value] = visitor.cookie.split('=') as [string, string];
	await person.context.addCookies([{ name, value, url: app.server.url }]);
	return person.page;
}

it('signs up through the mailed link, then resets a forgotten password, signing out the other device', async () => {
	const email = uniqueEmail('cora');
	const { page } = await newPerson(app.browser, app.server.url);
	await page.goto('/signup');
	await hydrated(page);
	await page.getByLabel('Your name').fill('Cora Confirm');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('qwertyuiop');
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.getByText('This is a frequently used password.', { exact: false }).waitFor();
	await page.getByLabel('Password').fill('a quiet orchard at dusk');
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
	await screenshot(page, 'accounts-signup-check-inbox');
	await finishSignUpInBrowser(page, email);
	await page.getByText('Hello, Cora Confirm').waitFor();
	expect(await page.getByText('Confirm your address to receive emails').count()).toBe(0);

	// Forgot the password on another computer.
	const { page: other } = await newPerson(app.browser, app.server.url);
	await other.goto('/signin');
	await hydrated(other);
	await other.getByRole('link', { name: 'Forgot your password?' }).click();
	await other.waitForURL(/\/reset$/);
	await hydrated(other);
	await other.getByLabel('Email').fill(email);
	await other.getByRole('button', { name: 'Email me a link' }).click();
	await other.getByText(`If ${email} has an account, we sent it a link`).waitFor();
	await other.goto(await linkFor(app.server.url, email, '/reset/'));
	await other.getByLabel('New password').fill('password123');
	await other.getByRole('button', { name: 'Save the new password' }).click();
	await other.getByText('This is a commonly used password.', { exact: false }).waitFor();
	await screenshot(other, 'accounts-reset-weak');
	await other.getByLabel('New password').fill('a brighter orchard at dawn');
	await other.getByRole('button', { name: 'Save the new password' }).click();
	await other.waitForURL(/\/settings\/devices\?reset=1/);
	await other.getByText('Your new password is saved, and every other device was signed out.').waitFor();
	await screenshot(other, 'accounts-devices-after-reset');
	expect(await other.locator('li.device').count()).toBe(1);

	// The first browser was signed out by the reset.
	await page.reload();
	await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).waitFor();
	await other.goto('/settings/activity');
	await other.getByText('Password changed by reset link; every device signed out').waitFor();
	await screenshot(other, 'accounts-activity');
});

it('signing a device out from the devices page closes its open pad at once', async () => {
	const coach = new Visitor(app.server.url);
	await coach.signUp('Casey Coach', uniqueEmail('casey'));
	const engagementId = await coach.createEngagement();
	const coacheeEmail = uniqueEmail('sam');
	const laptop = new Visitor(app.server.url);
	await laptop.signUp('Sam Coachee', coacheeEmail);
	expect((await laptop.acceptInvite(await coach.createInvite(engagementId))).type).toBe('redirect');
	await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: laptop, name: 'Sam Coachee' }], engagementId);
	const sessionId = await coach.scheduleSession(engagementId);
	const phone = new Visitor(app.server.url);
	await phone.signIn(coacheeEmail);

	const coachPad = padClient(app.server.url, coach.cookie, sessionId);
	await coachPad.synced();
	const tab = await withCookie(laptop);
	await tab.goto(`/sessions/${sessionId}`);
	await tab.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 15_000 });
	await tab.getByLabel('New action').fill('Before signing out');
	await tab.getByRole('button', { name: 'Add action' }).click();
	await until(() => readActions(coachPad.doc).length === 1, 10_000, 'the first action at the coach');

	const devices = await withCookie(phone);
	await devices.goto('/settings/devices');
	await screenshot(devices, 'accounts-devices');
	await devices.locator('li.device', { hasNot: devices.getByText('this device') }).getByRole('button', { name: /^Sign out/ }).click();
	await devices.getByText('That device is signed out.').waitFor();

	await tab.getByText('You are signed out on this device', { exact: false }).first().waitFor({ timeout: 10_000 });
	await screenshot(tab, 'accounts-tab-signed-out');
	await tab.getByLabel('New action').fill('After signing out').catch(() => undefined);
	await tab.getByRole('button', { name: 'Add action' }).click({ timeout: 2_000 }).catch(() => undefined);
	await new Promise((r) => setTimeout(r, 1_000));
	expect(readActions(coachPad.doc).map((a) => a.text)).toEqual(['Before signing out']);
	coachPad.destroy();
});
