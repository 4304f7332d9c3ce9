/**
 * Issue 15 in the browser, with a coordinator, two coaches and a coachee:
 * the coordinator sets up a scheme and invites both coaches, who join and
 * fill in their profiles; the coachee (on a phone) asks with the readiness
 * check and sees the scheme's terms; the coordinator reads the readiness and
 * the suggestions with their reasons and proposes a coach; both accept, and
 * the engagement exists for both.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hydrated, newPerson, screenshot, serverAndBrowser, signUpInBrowser } from '../helpers/browser.ts';
import { uniqueEmail } from '../helpers/http.ts';

const app = serverAndBrowser();

async function joinAndFillProfile(page: Page, link: string, name: string, email: string, profile: { areas: string[]; experience: string; languages: string; zone: string }) {
	await signUpInBrowser(page, name, email, 'a volunteer password', new URL(link).pathname);
	await page.getByRole('button', { name: 'Join the scheme' }).click();
	await page.waitForURL(/\/volunteers\//);
	await hydrated(page);
	for (const a of profile.areas) await page.getByLabel(a, { exact: true }).check();
	await page.getByLabel('Coaching or mentoring experience').fill(profile.experience);
	await page.getByLabel('Languages').fill(profile.languages);
	await page.getByLabel('Time zone').selectOption(profile.zone);
	await page.getByLabel('Coachees at once').fill('2');
	await page.getByRole('button', { name: 'Save profile' }).click();
	await page.getByRole('status').getByText('Saved.').waitFor();
}

it('a request with its readiness check is matched from suggestions with reasons, and both acceptances create the engagement', async () => {
	const base = app.server.url;
	const coordinator = await newPerson(app.browser, base);
	const ada = await newPerson(app.browser, base);
	const ben = await newPerson(app.browser, base);
	const sam = await newPerson(app.browser, base, { width: 390, height: 844 });
	const c = coordinator.page;

	// The coordinator sets the scheme up.
	await signUpInBrowser(c, 'Cora Coordinator', uniqueEmail('cora'));
	await c.goto('/schemes/new');
	await hydrated(c);
	await c.getByLabel('Name').fill('Women into leadership');
	await c.getByLabel(/Purpose and focus/).fill('Volunteer coaches for new and aspiring managers in the region.');
	await c.getByLabel(/Areas of expertise/).fill('Leadership\nCareer change\nConfidence\nFinance');
	await c.getByLabel(/Topics it does not cover/).fill('Therapy, legal advice');
	await c.getByRole('button', { name: 'Create scheme' }).click();
	await c.waitForURL(/\/schemes\/[a-z2-7]{16,}$/);
	const schemeUrl = c.url();

	// Two coaches are invited by email and join from their links.
	const invites: { link: string; email: string }[] = [];
	for (const [name, email] of [['Ada Coach', uniqueEmail('ada')], ['Ben Coach', uniqueEmail('ben')]] as const) {
		await hydrated(c);
		await c.getByLabel('Name', { exact: true }).fill(name);
		await c.getByLabel('Email').fill(email);
		await c.getByRole('button', { name: 'Send invitation' }).click();
		const notice = c.getByTestId('invited');
		await notice.getByText(email).waitFor();
		invites.push({ link: /(http\S+\/scheme-invite\/[a-z2-7]+)/.exec((await notice.textContent()) ?? '')![1]!, email });
		await c.reload();
	}
	await joinAndFillProfile(ada.page, invites[0]!.link, 'Ada Coach', invites[0]!.email, { areas: ['Leadership', 'Confidence'], experience: 'Twelve years coaching new managers', languages: 'English, French', zone: 'Europe/London' });
	await screenshot(ada.page, 'schemes-volunteer-profile');
	await joinAndFillProfile(ben.page, invites[1]!.link, 'Ben Coach', invites[1]!.email, { areas: ['Finance'], experience: 'Former finance director, mentors graduates', languages: 'English', zone: 'Asia/Tokyo' });

	// The coachee, on a phone, sees what the scheme asks of them and answers the readiness questions.
	const askUrl = (await c.getByTestId('ask-url').first().textContent())!.trim();
	const p = sam.page;
	await signUpInBrowser(p, 'Sam Coachee', uniqueEmail('sam'), 'a coachee password', new URL(askUrl).pathname);
	await hydrated(p);
	expect(await p.getByTestId('terms').textContent()).toContain('6 sessions of 60 minutes, every month, over at most 6 months');
	await p.getByLabel('What do you want to develop or learn?').fill('Lead my new team of eight with confidence');
	await p.getByLabel('Why now?').fill('I was promoted last month');
	await p.getByLabel(/What would be different at the end/).fill('The team trusts my decisions');
	await p.getByLabel('I have a rough idea').check();
	await p.getByLabel('Yes, I have the time').check();
	await p.getByLabel('Leadership', { exact: true }).check();
	await p.getByLabel(/Languages/).fill('English');
	await screenshot(p, 'schemes-ask-phone');
	await p.getByRole('button', { name: 'Send my request' }).click();
	await p.getByTestId('my-request').waitFor();

	// The coordinator sees the queue with readiness, then the suggestions with their reasons.
	await c.goto(schemeUrl);
	await c.getByTestId('queue').getByText('Sam Coachee').waitFor();
	await screenshot(c, 'schemes-coordinator-overview');
	await c.getByTestId('queue').getByRole('link', { name: 'Sam Coachee' }).click();
	await c.waitForURL(/\/requests\//);
	await hydrated(c);
	expect(await c.getByTestId('concerns').textContent()).toContain('Has only a rough idea of what they want.');
	const suggestions = c.getByTestId('suggestion');
	await expect.poll(() => suggestions.count()).toBe(2);
	expect(await suggestions.nth(0).textContent()).toContain('Ada Coach');
	expect(await suggestions.nth(0).textContent()).toContain('Expertise in Leadership');
	expect(await suggestions.nth(1).textContent()).toContain('Working days do not overlap');
	await screenshot(c, 'schemes-suggestions');
	await suggestions.nth(0).getByRole('button', { name: 'Propose Ada Coach' }).click();
	await c.getByTestId('current-match').getByText('Ada Coach').waitFor();

	// Both accept; the engagement is created with both in it.
	for (const person of [ada.page, p]) {
		await person.goto('/schemes');
		await person.getByTestId('my-matches').getByRole('link').first().click();
		await person.waitForURL(/\/matches\//);
		await hydrated(person);
		if (person === p) await screenshot(p, 'schemes-proposal-phone');
		await person.getByRole('button', { name: 'Accept the match' }).click();
		await person.getByTestId(person === p ? 'placed' : 'waiting').waitFor();
	}
	await p.getByRole('link', { name: 'Open your engagement' }).click();
	await p.waitForURL(/\/engagements\//);
	await p.getByText('Women into leadership: Sam Coachee').first().waitFor();
	await ada.page.goto('/');
	await ada.page.getByTestId('engagements').getByText('Women into leadership: Sam Coachee').waitFor();
	await ada.page.getByTestId('upcoming').getByText(/Introductory/i).waitFor();

	await c.goto(schemeUrl);
	await c.getByTestId('placements').getByText('Ada Coach').waitFor();
	await screenshot(c, 'schemes-coordinator-placed');
	expect((await c.goto(p.url()))?.status()).toBe(404);
});
