/**
 * Two-factor sign-in in the browser (issue 17): setting up an authenticator
 * app on /settings/security (the code computed here from the key the page
 * shows), signing in with a code; registering a passkey with Chromium's
 * virtual authenticator (CDP WebAuthn domain) and using it as the second
 * factor and to sign in without a password; and a coach's "require
 * two-factor sign-in" shown to a coachee who has not set it up.
 * Screenshots at desktop and phone widths.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hydrated, newPerson, screenshot, serverAndBrowser, signUpInBrowser } from '../helpers/browser.ts';
import { Visitor, uniqueEmail } from '../helpers/http.ts';
import { currentStep, setUpTotp, totpCode } from '../helpers/two-factor.ts';

const app = serverAndBrowser();
const PHONE = { width: 390, height: 844 };

it('sets up an authenticator app, shows the recovery codes, and asks for a code at the next sign-in', async () => {
	const email = uniqueEmail('tova');
	const { page } = await newPerson(app.browser, app.server.url);
	await signUpInBrowser(page, 'Tova Twofactor', email);
	await page.goto('/settings');
	await page.getByRole('link', { name: 'Set up or change two-factor sign-in' }).click();
	await hydrated(page);
	await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
	const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
	await qr.waitFor();
	expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100)).toBe(true);
	await screenshot(page, 'two-factor-setup');
	const key = (await page.getByTestId('totp-key').textContent())!.trim();
	expect(key).toMatch(/^[A-Z2-7]{32}$/);
	const step = currentStep();
	await page.getByLabel('Code from your app').fill(totpCode(key, step));
	await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
	await page.getByRole('heading', { name: /Two-factor sign-in is on/ }).waitFor();
	expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
	await screenshot(page, 'two-factor-recovery-codes');

	const phone = await newPerson(app.browser, app.server.url, PHONE);
	await phone.page.goto('/signin?next=%2Fsettings%2Fsecurity');
	await hydrated(phone.page);
	await phone.page.getByLabel('Email').fill(email);
	await phone.page.getByLabel('Password').fill('correct horse battery');
	await phone.page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await phone.page.getByRole('heading', { name: 'One more step' }).waitFor();
	await hydrated(phone.page);
	await screenshot(phone.page, 'two-factor-signin-phone');
	// The code typed at set-up cannot be used again.
	await phone.page.getByLabel('Code from your app').fill(totpCode(key, step));
	await phone.page.getByRole('button', { name: 'Continue' }).click();
	await phone.page.getByText('That code is not right, or was used already.').waitFor();
	await phone.page.getByLabel('Code from your app').fill(totpCode(key, step + 1));
	await phone.page.getByRole('button', { name: 'Continue' }).click();
	await phone.page.waitForURL(/\/settings\/security$/);
	await phone.page.getByText('Signing in asks for a code from your app.').waitFor();
	await screenshot(phone.page, 'two-factor-on-phone');
});

/** A platform authenticator with a fingerprint reader that always says yes, on this page (Chromium's CDP WebAuthn domain). */
async function virtualAuthenticator(page: Page) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true }
	});
	return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

it('registers a passkey, then uses it as the second factor and to sign in without a password', async () => {
	const email = uniqueEmail('pia');
	const { page } = await newPerson(app.browser, app.server.url);
	const authenticator = await virtualAuthenticator(page);
	await signUpInBrowser(page, 'Pia Passkey', email);
	await page.goto('/settings/security');
	await hydrated(page);
	await page.getByLabel('Name for a new passkey').fill('This laptop');
	await page.getByRole('button', { name: 'Add a passkey' }).click();
	await page.getByText('Passkey “This laptop” added.').waitFor();
	// The first second factor brings the recovery codes.
	expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
	await page.getByRole('list', { name: 'Your passkeys' }).getByText('This laptop', { exact: true }).waitFor();
	expect(await authenticator.credentials()).toHaveLength(1);
	await screenshot(page, 'two-factor-passkey-added');
	await page.setViewportSize(PHONE);
	await screenshot(page, 'two-factor-passkey-added-phone');

	// Password, then the passkey as the second step.
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.waitForURL(/\/signin|\/$/);
	await page.goto('/signin?next=%2Fsettings%2Factivity');
	await hydrated(page);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await page.getByRole('heading', { name: 'One more step' }).waitFor();
	await hydrated(page);
	await screenshot(page, 'two-factor-passkey-step');
	await page.getByRole('button', { name: 'Use a passkey' }).click();
	await page.waitForURL(/\/settings\/activity$/);
	await page.getByText('Passkey added: “This laptop”').waitFor();

	// Without a password.
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.waitForURL(/\/signin|\/$/);
	await page.goto('/signin');
	await hydrated(page);
	await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
	await page.getByRole('heading', { name: 'Hello, Pia Passkey' }).waitFor();

	// Removing it needs the password; with no other second factor, two-factor sign-in is off again.
	await page.goto('/settings/security');
	await hydrated(page);
	await page.getByText('Remove', { exact: true }).click();
	await page.getByLabel('Your password, to remove “This laptop”').fill('correct horse battery');
	await page.getByRole('button', { name: 'Remove passkey' }).click();
	await page.getByText('Passkey “This laptop” removed.').waitFor();
	await page.getByText('No passkeys yet.').waitFor();
});

it("shows a coachee without it that the coach requires two-factor sign-in, with the link to set it up", async () => {
	const coach = new Visitor(app.server.url);
	await coach.signUp('Casey Coach', uniqueEmail('casey'));
	await setUpTotp(coach);
	const engagementId = await coach.createEngagement({ title: 'Leading the new team' });
	const sessionId = await coach.scheduleSession(engagementId, 10, 60, 'introductory');
	const invite = await coach.createInvite(engagementId);

	const { page } = await newPerson(app.browser, app.server.url);
	await signUpInBrowser(page, 'Sam Coachee', uniqueEmail('sam'), 'another good password', invite);
	await page.getByRole('button', { name: 'Join the engagement' }).click();
	await page.waitForURL(/\/engagements\//);
	expect(await page.getByTestId('two-factor-required').count()).toBe(0);

	const coachPage = await newPerson(app.browser, app.server.url);
	const [name, value] = coach.cookie.split('=') as [string, string];
	await coachPage.context.addCookies([{ name, value, url: app.server.url }]);
	await coachPage.page.goto(`/engagements/${engagementId}`);
	await hydrated(coachPage.page);
	await coachPage.page.getByRole('button', { name: 'Require two-factor sign-in for everyone' }).click();
	await coachPage.page.getByText("Everyone must use two-factor sign-in to open this engagement's sessions.").waitFor();
	await screenshot(coachPage.page, 'two-factor-coach-requires');

	await page.goto(`/sessions/${sessionId}`);
	await page.waitForURL(new RegExp(`/engagements/${engagementId}\\?twofactor=required$`));
	const notice = page.getByTestId('two-factor-required');
	await notice.getByText('Your coach requires two-factor sign-in for this engagement.').waitFor();
	await screenshot(page, 'two-factor-required-coachee');
	await page.setViewportSize(PHONE);
	await screenshot(page, 'two-factor-required-coachee-phone');
	await notice.getByRole('link', { name: 'Set up two-factor sign-in' }).click();
	await page.waitForURL(/\/settings\/security/);
	await page.getByRole('button', { name: 'Set up an authenticator app' }).waitFor();
});
