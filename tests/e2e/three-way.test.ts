/**
 * Issue 12, the three-way meeting with coach, coachee and sponsor as three
 * people in three browsers: the coach books it once a sponsor is linked; the
 * sponsor opens it from their page and writes in its pad with the others; the
 * sponsor's page has no private notes, prompts or contract tab, and the
 * coaching session's pad stays out of reach.
 */
import { expect, it } from 'vitest';
import { hydrated, screenshot, serverAndBrowser, signedInPerson } from '../helpers/browser.ts';
import { coachingPair, joinAsSponsor } from '../helpers/http.ts';

const app = serverAndBrowser();

it('coach, coachee and sponsor meet in a three-way meeting with its own pad', async () => {
	const pair = await coachingPair(app.server.url);
	const { sponsor: sponsorVisitor } = await joinAsSponsor(app.server.url, pair.coach, pair.engagementId);
	const coach = await signedInPerson(app.browser, app.server.url, pair.coach);
	const coachee = await signedInPerson(app.browser, app.server.url, pair.coachee, { width: 390, height: 844 });
	const sponsor = await signedInPerson(app.browser, app.server.url, sponsorVisitor);
	const [c, p, s] = [coach.page, coachee.page, sponsor.page];

	await c.goto(`/engagements/${pair.engagementId}`);
	await hydrated(c);
	await c.getByLabel(/^What/).selectOption('three_way');
	await c.getByRole('button', { name: 'Schedule', exact: true }).click();
	await c.getByTestId('sessions').getByText('Three-way meeting').click();
	await c.waitForURL(/\/sessions\//);
	const meeting = new URL(c.url()).pathname;
	await c.getByRole('tab', { name: 'Three-way pad' }).waitFor();
	await c.getByTestId('three-way-note').getByText(/The sponsor sees this pad/).waitFor();

	// The sponsor finds it on their own page; their session page has the meeting's pad and nothing else.
	await s.goto(`/sponsor/${pair.engagementId}`);
	await s.getByTestId('sponsor-meetings').getByRole('link', { name: /Open|Join now/ }).click();
	await s.waitForURL(new RegExp(meeting + '$'));
	await hydrated(s);
	expect(await s.getByRole('tab').allTextContents()).toEqual(['Three-way pad']);
	await s.getByTestId('shared-pad').waitFor();
	await s.getByLabel('New action').fill('Agree the first goal with the team lead');
	await s.getByRole('button', { name: 'Add action' }).click();

	// Coach and coachee see it live.
	await expect.poll(() => c.getByRole('textbox', { name: 'Action 1', exact: true }).inputValue(), { timeout: 10_000 }).toBe('Agree the first goal with the team lead');
	await p.goto(meeting);
	await hydrated(p);
	await p.getByTestId('shared-pad').waitFor();
	await expect.poll(() => p.getByRole('textbox', { name: 'Action 1', exact: true }).inputValue(), { timeout: 10_000 }).toBe('Agree the first goal with the team lead');
	await screenshot(s, 'three-way-sponsor');
	await screenshot(p, 'three-way-coachee-phone');
	await screenshot(c, 'three-way-coach');

	// The coaching session itself stays closed to the sponsor.
	const refused = await s.goto(`/sessions/${pair.sessionId}`);
	expect(refused?.status()).toBe(404);
});
