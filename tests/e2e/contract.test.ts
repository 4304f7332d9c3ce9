/**
 * Issue 12 (contract): the coach drafts the contract from the template, the
 * form names what a SMART goal still lacks, the coach sends it, both accept
 * (typed name and a tick per key clause; the coachee on a phone), it is in
 * force; an amendment is a new version whose changes are shown clause by
 * clause while the old version stays in force, until both have accepted it
 * again in their own browsers; the old version then stays readable.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { engagementWithCoachee, hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';

const app = serverAndBrowser();

async function acceptAll(page: Page, name: string) {
	for (const box of await page.getByRole('checkbox').all()) await box.check();
	await page.getByLabel('Your full name').fill(name);
	await page.getByRole('button', { name: /^Accept version/ }).click();
}

it('coach drafts and sends the contract, both accept it, an amendment shows what changed', async () => {
	const coach = await newPerson(app.browser, app.server.url);
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const c = coach.page;
	const p = coachee.page;

	const engagement = await engagementWithCoachee(c, p);

	// The draft starts from the template and the engagement's own goal.
	await c.goto(engagement);
	await c.getByTestId('contract-summary').getByText('No contract is in force yet.').waitFor();
	await c.getByRole('link', { name: 'Draft the contract' }).click();
	await c.waitForURL(/\/contract$/);
	await c.getByRole('link', { name: 'Draft the contract' }).click();
	await c.waitForURL(/\/contract\/edit$/);
	await hydrated(c);
	expect(await c.getByLabel('The goal (specific)').inputValue()).toBe('Run the weekly team meeting with confidence');
	expect(await c.getByTestId('smart-missing').textContent()).toContain('measurable: how you will know');
	expect(await c.getByLabel('Coaching is not therapy or counselling').inputValue()).toMatch(/not therapy or counselling/);

	// Sending with a blank measure is refused, beside the field; nothing typed is lost.
	await c.getByLabel('Why it matters now (relevant)').fill('New role from March');
	await c.getByRole('button', { name: 'Send for review and acceptance' }).click();
	await c.getByTestId('contract-error').getByText('The contract is not complete yet: Write how you will measure it (measurable).').waitFor();
	expect(await c.getByLabel('Why it matters now (relevant)').inputValue()).toBe('New role from March');
	await screenshot(c, 'contract-coach-draft-error');

	await c.getByLabel('How we will know (measurable)').fill('The team rates the meeting 4 out of 5 or better');
	await c.getByRole('button', { name: 'Add a goal' }).click();
	await c.getByText('Goal 2', { exact: true }).waitFor();
	await c.locator('#goal-1-statement').fill('Delegate the monthly budget report');
	await c.locator('#goal-1-measure').fill('Someone else writes it twice');
	await c.locator('#goal-1-why').fill('Frees a day each month');
	await c.getByRole('button', { name: 'Send for review and acceptance' }).click();
	await c.waitForURL(/\/contract$/);
	await c.getByTestId('contract-status').getByText('Waiting for acceptance').waitFor();
	expect(await c.getByTestId('contract-goal').count()).toBe(2);

	// The coach accepts; it is not in force until the coachee has too.
	await hydrated(c);
	await acceptAll(c, 'Casey Coach');
	await c.getByTestId('contract-accepted').getByText(/You accepted version 1/).waitFor();

	// The coachee, on a phone: ticks are required, then the typed name.
	await p.goto(`${engagement}/contract`);
	await hydrated(p);
	await p.getByLabel('Your full name').fill('Sam Coachee');
	await p.getByRole('button', { name: 'Accept version 1' }).click();
	await p.getByRole('alert').getByText('Tick every key clause to accept.').waitFor();
	await screenshot(p, 'contract-coachee-review-phone');
	await acceptAll(p, 'sam coachee');
	await p.getByTestId('contract-accepted').getByText('Version 1 is now in force: everyone has accepted it.').waitFor();
	await p.getByTestId('contract-status').getByText('In force').waitFor();
	expect(await p.getByTestId('contract-parties').textContent()).toMatch(/Casey Coach:\s*accepted/);
	await screenshot(p, 'contract-coachee-in-force-phone');

	// Now coaching sessions can be booked, and the room shows the contract they are held under.
	await c.goto(engagement);
	await hydrated(c);
	expect(await c.getByLabel(/^What/).inputValue()).toBe('session');
	await c.getByRole('button', { name: 'Schedule', exact: true }).click();
	await c.getByTestId('sessions').getByText('Session 1 of 6').click();
	await c.waitForURL(/\/sessions\//);
	expect(await c.getByTestId('session-title').textContent()).toMatch(/Session 1 of 6\s*·\s*contract v1/);
	await p.goto(c.url());
	await p.getByRole('tab', { name: 'Contract' }).click();
	await p.getByTestId('room-contract').getByText('Delegate the monthly budget report').waitFor();
	await screenshot(p, 'contract-in-room-phone');

	// An amendment is version 2; version 1 stays in force meanwhile, and the change is shown clause by clause.
	await c.goto(`${engagement}/contract`);
	await c.getByRole('link', { name: 'Amend the contract' }).click();
	await c.waitForURL(/\/contract\/edit$/);
	await hydrated(c);
	await c.getByLabel('Number of sessions').fill('8');
	await c.getByRole('button', { name: 'Send for review and acceptance' }).click();
	await c.waitForURL(/\/contract$/);
	await c.getByText('Version 1 stays in force until everyone has accepted version 2.').waitFor();
	await c.getByRole('link', { name: 'What changed' }).click();
	const changes = c.getByTestId('contract-changes');
	await changes.waitFor();
	expect(await changes.getByRole('listitem').count()).toBe(1);
	const changeText = (await changes.textContent())!.replace(/\s+/g, " ");
	expect(changeText, changeText).toMatch(/Plan · Number of sessions changed ?Before: 6 ?After: 8/);
	await screenshot(c, 'contract-coach-amendment-diff');

	await p.goto(engagement);
	expect(await p.getByTestId('contract-summary').textContent()).toMatch(/Version 1 is in force\.\s*Version 2 is waiting for acceptance\./);

	// Both re-accept the amendment, each in their own browser: version 2 comes into force once the second has.
	await p.goto(`${engagement}/contract`);
	await hydrated(p);
	await acceptAll(p, 'Sam Coachee');
	await p.getByTestId('contract-accepted').getByText(/You accepted version 2/).waitFor();
	await c.goto(`${engagement}/contract`);
	await hydrated(c);
	await acceptAll(c, 'Casey Coach');
	await c.getByTestId('contract-accepted').getByText('Version 2 is now in force: everyone has accepted it.').waitFor();
	await p.reload();
	await p.getByTestId('contract-status').getByText('In force').waitFor();
	expect(await p.getByTestId('contract-parties').textContent()).toMatch(/Sam Coachee:\s*accepted as “Sam Coachee”/);
	await screenshot(p, 'contract-amendment-in-force-phone');

	// Version 1 stays readable, superseded, as it was agreed; version 2 shows what changed since.
	await p.getByRole('link', { name: 'Version 1', exact: true }).click();
	await p.waitForURL(/\/contract\/v\/1$/);
	await p.getByRole('heading', { name: /Contract, version 1/ }).getByText('Superseded').waitFor();
	expect(await p.getByTestId('contract-plan').textContent()).toMatch(/^\s*6 sessions/);
	expect(await p.getByText(/Accepted by Casey Coach/).count()).toBe(1);
	await screenshot(p, 'contract-old-version-phone');
	await c.goto(`${engagement}/contract/v/2`);
	await c.getByRole('heading', { name: /Contract, version 2/ }).getByText('In force').waitFor();
	expect((await c.getByTestId('contract-changes').textContent())!.replace(/\s+/g, ' ')).toMatch(/Number of sessions changed ?Before: 6 ?After: 8/);
	expect(await c.getByTestId('contract-plan').textContent()).toMatch(/^\s*8 sessions/);
	await c.goto(engagement);
	expect(await c.getByTestId('contract-summary').textContent()).toMatch(/Version 2 is in force\./);
	await c.getByTestId('sessions').getByText('Session 1 of 8').click();
	await c.waitForURL(/\/sessions\//);
	expect(await c.getByTestId('session-title').textContent()).toMatch(/Session 1 of 8\s*·\s*contract v2/);
});
