/**
 * Your data in the browser (issue 14, part 4): the coachee downloads the zip
 * from settings (the private notes' bytes are not in it), the coachee
 * proposes erasing the engagement and the coach agrees, and the coachee
 * deletes their account with the password and the typed phrase.
 */
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, it } from 'vitest';
import { cspViolations, hydrated, screenshot, serverAndBrowser, signedInPerson } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();
const PHONE = { width: 390, height: 844 };

it('downloads the zip from settings, erases an engagement by agreement and deletes an account', async () => {
	const M = `qz${Math.random().toString(36).slice(2, 10)}`;
	const { coach, coachee, engagementId, sessionId } = await coachingPair(app.server.url);
	await writeAndEndSession(app.server.url, coach.cookie, sessionId, { note: `Shared ${M}notes`, action: `Do ${M}action`, privateNote: `Private ${M}private` });

	// The coachee downloads their data from settings.
	const sam = await signedInPerson(app.browser, app.server.url, coachee);
	await sam.page.goto('/settings');
	await hydrated(sam.page);
	const [download] = await Promise.all([sam.page.waitForEvent('download'), sam.page.getByRole('link', { name: 'Download my data' }).click()]);
	expect(download.suggestedFilename()).toMatch(/^confidante-data-\d{4}-\d{2}-\d{2}\.zip$/);
	const files = unzipSync(new Uint8Array(fs.readFileSync(await download.path())));
	const bytes = Buffer.concat(Object.values(files).map((f) => Buffer.from(f)));
	expect(Object.keys(files)).toContain('README.md');
	expect(bytes.includes(`${M}notes`)).toBe(true);
	expect(bytes.includes(`${M}private`)).toBe(false);
	await screenshot(sam.page, 'yourdata-settings-desktop');

	// The coachee proposes erasing the engagement; the coach agrees.
	await sam.page.goto(`/engagements/${engagementId}`);
	await hydrated(sam.page);
	await sam.page.getByRole('button', { name: 'Propose erasing it' }).click();
	await sam.page.getByText('Waiting for: Casey Coach').waitFor();
	await sam.page.getByTestId('erasure').screenshot({ path: 'test-results/yourdata-erasure-proposed.png' });
	const casey = await signedInPerson(app.browser, app.server.url, coach, PHONE);
	await casey.page.goto(`/engagements/${engagementId}`);
	await hydrated(casey.page);
	await casey.page.getByText('Sam Coachee proposed erasing it').waitFor();
	await screenshot(casey.page, 'yourdata-erasure-agree-phone');
	await casey.page.getByTestId('erasure').screenshot({ path: 'test-results/yourdata-erasure-card-phone.png' });
	await casey.page.getByRole('button', { name: 'I agree: erase it' }).click();
	await casey.page.getByText('Its content was erased on').waitFor();
	await casey.page.getByRole('heading', { name: 'Erased engagement' }).waitFor();
	// What stays is the record of who was in it and when sessions were held; nothing more can be added.
	await casey.page.getByTestId('erased-record').getByText('60 min').waitFor();
	expect(await casey.page.getByRole('heading', { name: 'Schedule a session' }).count()).toBe(0);
	await screenshot(casey.page, 'yourdata-erased-phone');
	await casey.page.getByTestId('erasure').screenshot({ path: 'test-results/yourdata-erased-card-phone.png' });
	expect(await casey.page.content()).not.toContain(`${M}notes`);

	// The coachee deletes their account: a wrong phrase is refused, then it goes.
	const phone = await signedInPerson(app.browser, app.server.url, coachee, PHONE);
	await phone.page.goto('/settings');
	await hydrated(phone.page);
	await phone.page.getByLabel('Your password').fill('correct horse battery');
	await phone.page.getByLabel(/Type "delete my account"/).fill('delete it');
	await phone.page.getByRole('button', { name: 'Delete my account' }).click();
	await phone.page.getByText('Type "delete my account" to confirm.').first().waitFor();
	await screenshot(phone.page, 'yourdata-delete-refused-phone');
	await phone.page.locator('section', { has: phone.page.getByRole('heading', { name: 'Delete my account' }) }).screenshot({ path: 'test-results/yourdata-delete-refused-card-phone.png' });
	await phone.page.getByLabel('Your password').fill('correct horse battery');
	await phone.page.getByLabel(/Type "delete my account"/).fill('delete my account');
	await phone.page.getByRole('button', { name: 'Delete my account' }).click();
	await phone.page.waitForURL(/\/signin\?deleted=1/);
	await phone.page.getByTestId('account-deleted').waitFor();
	await screenshot(phone.page, 'yourdata-deleted-phone');
	// Every device of the account is signed out: the desktop browser is sent to sign in.
	await sam.page.goto('/settings');
	await sam.page.waitForURL(/\/signin/);
	// The coach's record now names a former participant.
	await casey.page.reload();
	await casey.page.getByText('A former participant').first().waitFor();
	expect(cspViolations).toEqual([]);
});
