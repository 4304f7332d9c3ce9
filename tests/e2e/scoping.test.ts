/**
 * Issue 12, scoping as people do it: the coach creates a proposal and a
 * scoping link; the prospect, in a second browser context without an
 * account (on a phone), answers the questions; the coach reads the answers
 * and takes the work on; the engagement exists and shows its life as steps,
 * and the link now says the work was taken on. A second proposal is
 * declined with the courteous email, and its link says so.
 */
import { expect, it } from 'vitest';
import { hydrated, newPerson, screenshot, serverAndBrowser, signUpInBrowser } from '../helpers/browser.ts';
import { Visitor, uniqueEmail } from '../helpers/http.ts';

const app = serverAndBrowser();

it('a proposal is answered without an account and taken on, and the engagement starts from it', async () => {
	const coach = await newPerson(app.browser, app.server.url);
	const prospect = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const c = coach.page;
	const p = prospect.page;

	await signUpInBrowser(c, 'Casey Coach', uniqueEmail('casey'));
	await c.goto('/');
	await hydrated(c);
	await c.getByRole('link', { name: 'New proposal' }).click();
	await c.waitForURL(/\/proposals\/new/);
	await hydrated(c);
	await c.getByLabel('Title').fill('Leading the new team');
	await c.getByLabel(/What is asked for/).fill('Sam was promoted to lead a team of eight and asked for coaching.');
	await c.getByLabel(/Prospective coachee/).fill('Sam Prospect');
	await c.getByLabel('Their email').fill(uniqueEmail('sam'));
	await c.getByLabel(/Your own questions/).fill('What has worked for you before?');
	await c.getByRole('button', { name: 'Create proposal' }).click();
	await c.waitForURL(/\/proposals\/[a-z2-7]+$/);
	await hydrated(c);
	await c.getByRole('button', { name: 'Create a scoping link' }).click();
	const link = await c.getByLabel(/Send this link to the person who asked/).inputValue();
	expect(link).toMatch(/\/scoping\/[a-z2-7]{32}$/);
	await screenshot(c, 'scoping-proposal-open');

	// The prospect has no account: the link alone shows the questions.
	await p.goto(link);
	await hydrated(p);
	await p.getByRole('heading', { name: 'Before we start: a few questions' }).waitFor();
	await p.getByLabel('Your name').fill('Sam Prospect');
	await p.getByLabel(/What is happening right now/).fill('Meetings are quiet; two people do all the talking.');
	await p.getByLabel(/What would you like to have happen/).fill('Everyone speaks up in the weekly meeting.');
	await p.getByLabel(/What needs to happen so that/).fill('A habit of asking each person before deciding.');
	await p.getByLabel(/How will you know the coaching has worked/).fill('Half the team speaks in each meeting by June.');
	await p.getByLabel('What has worked for you before?').fill('Writing things down.');
	await screenshot(p, 'scoping-questions-phone');
	await p.getByRole('button', { name: 'Send my answers' }).click();
	await p.getByTestId('scoping-state').getByText(/Your answers were sent/).waitFor();
	await screenshot(p, 'scoping-answered-phone');

	// The coach reads the answers and takes the work on.
	await c.reload();
	await hydrated(c);
	await c.getByTestId('answers').getByText('Everyone speaks up in the weekly meeting.').waitFor();
	expect(await c.getByTestId('proposal-status').textContent()).toBe('answered');
	expect(await c.getByLabel('Goals').inputValue()).toBe('Everyone speaks up in the weekly meeting.');
	await screenshot(c, 'scoping-proposal-answered');
	await c.getByRole('button', { name: 'Take it on' }).click();
	await c.waitForURL(/\/engagements\/[a-z2-7]+$/);
	await c.getByRole('heading', { name: 'Leading the new team' }).waitFor();
	const life = c.getByTestId('life');
	await expect.poll(() => life.locator('[data-step="decision"]').getAttribute('data-state')).toBe('done');
	expect(await life.locator('[data-step="drafted"]').getAttribute('data-state')).toBe('current');
	await screenshot(c, 'scoping-engagement-life');

	// The contract's first draft starts from the answers.
	await c.goto(c.url() + '/contract/edit');
	await hydrated(c);
	expect(await c.locator('textarea, input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(
		expect.arrayContaining(['Everyone speaks up in the weekly meeting.', 'Half the team speaks in each meeting by June.'])
	);

	// The dashboard lists the proposal with its state; the link says the work was taken on.
	await c.goto('/');
	await c.getByTestId('proposals').getByText('taken on').waitFor();
	await p.reload();
	await p.getByTestId('scoping-state').getByText(/is glad to take on/).waitFor();

	// A second request, declined kindly: the letter is the template, edited; the link then says so.
	const session = (await coach.context.cookies()).find((k) => k.name.includes('confidante_session'))!;
	const api = new Visitor(app.server.url);
	api.cookie = `${session.name}=${session.value}`;
	const second = await api.action('/proposals/new', { kind: 'coaching', title: 'Career change', request: 'Robin wants to move into finance.', prospectName: 'Robin Prospect', prospectEmail: uniqueEmail('robin') });
	const secondLink = new URL((await api.action(`${second.location}?/link`)).data.link.url).pathname;
	await c.goto(second.location!);
	await hydrated(c);
	const letter = c.getByLabel('The email');
	expect(await letter.inputValue()).toMatch(/^Dear Robin Prospect,/);
	await letter.fill((await letter.inputValue()).replace('I am glad to suggest names', 'I can introduce you to a colleague who coaches career moves into finance'));
	await c.getByRole('button', { name: 'Decline and send the email' }).click();
	await c.getByTestId('proposal-status').getByText('declined').waitFor();
	await c.getByTestId('proposal-emails').getByText(/Decline to Robin Prospect/).waitFor();
	await screenshot(c, 'scoping-proposal-declined');
	await p.goto(secondLink);
	await p.getByTestId('scoping-state').getByText(/decided not to take on/).waitFor();
	await screenshot(p, 'scoping-declined-link-phone');
});
