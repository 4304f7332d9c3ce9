/**
 * Issue 12, the sponsor as a separate person: the coach invites them with a
 * link, they sign up from it; the coach drafts two updates; the coachee (on a
 * phone) edits and approves one and declines the other; the sponsor sees the
 * goals, plan, session dates and the approved text only.
 */
import { expect, it } from 'vitest';
import { finishSignUpInBrowser, hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';
import { coachingPair, uniqueEmail } from '../helpers/http.ts';

const app = serverAndBrowser();

it('a sponsor sees the update the coachee approved, never the declined one', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await newPerson(app.browser, app.server.url);
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const sponsor = await newPerson(app.browser, app.server.url);
	const cookie = (v: { cookie: string }) => {
		const [name, value] = v.cookie.split('=');
		return { name: name!, value: value!, url: app.server.url };
	};
	await coach.context.addCookies([cookie(pair.coach)]);
	await coachee.context.addCookies([cookie(pair.coachee)]);
	const c = coach.page;
	const p = coachee.page;
	const s = sponsor.page;

	await c.goto(`/engagements/${pair.engagementId}`);
	await hydrated(c);
	await c.getByRole('button', { name: 'Create a sponsor link' }).click();
	const link = await c.getByLabel(/Send this link to the sponsor/).inputValue();
	expect(link).toMatch(/\/sponsor-invite\/[a-z2-7]{32}$/);

	await s.goto(link);
	await s.getByText('Casey Coach invites you as sponsor').waitFor();
	await s.getByRole('link', { name: 'Create an account' }).click();
	await s.waitForURL(/\/signup/);
	await hydrated(s);
	await s.getByLabel('Your name').fill('Pat Sponsor');
	const patEmail = uniqueEmail('pat');
	await s.getByLabel('Email').fill(patEmail);
	await s.getByLabel('Password').fill('a sponsor password');
	await s.getByRole('button', { name: 'Create account' }).click();
	await finishSignUpInBrowser(s, patEmail);
	await s.getByRole('button', { name: 'Become the sponsor' }).click();
	await s.waitForURL(/\/sponsor\//);
	await s.getByTestId('sponsor-goals').getByText('Confident first 90 days').waitFor();
	expect(await s.getByTestId('sponsor-counts').textContent()).toBe('0 held, 6 left.');

	for (const text of ['Sam is settling into the new role.', 'Sam finds the director difficult to work with.']) {
		await c.getByLabel(/Draft an update for the sponsor/).fill(text);
		await c.getByRole('button', { name: 'Ask the coachee to approve' }).click();
		await c.getByTestId('sponsor-updates-log').getByText(text).waitFor();
	}
	await c.getByTestId('sponsor-card').getByText(/Pat Sponsor sponsors this coaching/).waitFor();

	await p.goto(`/engagements/${pair.engagementId}`);
	await hydrated(p);
	const forms = p.getByTestId('approve-update');
	await expect.poll(() => forms.count()).toBe(2);
	const texts = await forms.locator('textarea').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));
	await forms.nth(texts.findIndex((t) => t.includes('difficult'))).getByRole('button', { name: 'Decline' }).click();
	await expect.poll(() => forms.count()).toBe(1);
	await forms.locator('textarea').fill('Sam is settling into the new role and leads the weekly meeting.');
	await screenshot(p, 'sponsor-coachee-approve-phone');
	await forms.getByRole('button', { name: 'Approve and send' }).click();
	await expect.poll(() => forms.count()).toBe(0);
	await p.getByTestId('sponsor-updates-log').getByText('declined, not sent').waitFor();

	await s.reload();
	const updates = s.getByTestId('sponsor-updates');
	await updates.getByText('Sam is settling into the new role and leads the weekly meeting.').waitFor();
	const body = await s.textContent('body');
	expect(body).not.toContain('difficult');
	expect(body).not.toContain('Team survey at 4 of 5');
	await screenshot(s, 'sponsor-page');

	// Nothing else of the engagement opens for the sponsor.
	for (const path of [`/engagements/${pair.engagementId}`, `/sessions/${pair.sessionId}`, `/engagements/${pair.engagementId}/contract`]) {
		expect((await s.goto(path))?.status()).toBe(404);
	}
});
