/**
 * The prompt panel in two browsers: the coach finds a prompt by typing a few
 * letters, marks it asked with Enter, writes, edits and deletes a prompt of
 * their own, shows another prompt to the coachee with Shift+Enter, who sees
 * the card and dismisses it; the coach sees the dismissal. The coachee's page never downloads the library.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverAndBrowser, newPerson, screenshot } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';

const app = serverAndBrowser();

// A library prompt nobody shows in this test: only the coach's code may carry it.
const UNSHOWN_LIBRARY_TEXT = 'What would it cost to leave things as they are?';

/** The text of every script the page loads. */
function scriptsOf(page: Page): string[] {
	const bodies: string[] = [];
	page.on('response', (res) => {
		if (res.request().resourceType() === 'script') void res.text().then((t) => bodies.push(t), () => undefined);
	});
	return bodies;
}

it('coach finds, marks and shows prompts; the coachee sees and dismisses the card', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await newPerson(app.browser, app.server.url);
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const cookie = (visitor: { cookie: string }) => [{ name: 'confidante_session', value: visitor.cookie.split('=')[1]!, url: app.server.url }];
	await coach.context.addCookies(cookie(pair.coach));
	await coachee.context.addCookies(cookie(pair.coachee));
	const c = coach.page;
	const p = coachee.page;
	const coachScripts = scriptsOf(c);
	const coacheeScripts = scriptsOf(p);

	await c.goto(`/sessions/${pair.sessionId}`);
	await p.goto(`/sessions/${pair.sessionId}`);
	await c.getByRole('tab', { name: 'Prompts' }).click();
	const panel = c.getByTestId('prompt-panel');
	await panel.waitFor();
	// At the start of a session the panel suggests scoping and contracting.
	await expect.poll(() => panel.getByTestId('prompt-suggestion').textContent()).toMatch(/Opening/);

	// `/` jumps to the search from anywhere that is not a text field.
	await c.locator('h1').click();
	await c.keyboard.press('/');
	const search = c.getByRole('combobox', { name: 'Search prompts' });
	const results = panel.getByRole('listbox', { name: 'Prompts' });
	await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);

	// A few letters, one of them wrong, find the sponsor question; Enter marks it asked.
	await c.keyboard.type('sponsr exp');
	const first = results.getByRole('option').first();
	await expect.poll(() => first.textContent()).toMatch(/sponsor/i);
	const askedText = (await first.locator('.text').textContent())!.trim();
	await c.keyboard.press('Enter');
	await results.locator('[aria-selected="true"]').getByTestId('asked-mark').waitFor();
	await expect.poll(() => panel.getByTestId('asked-list').textContent()).toContain(askedText);

	// Arrow keys move the choice.
	await search.fill('what else');
	await expect.poll(() => results.getByRole('option').count()).toBeGreaterThan(2);
	await c.keyboard.press('ArrowDown');
	await expect.poll(() => results.getByRole('option').nth(1).getAttribute('aria-selected')).toBe('true');

	// The coach's own prompt: an empty one is refused inline, then it is added and found.
	await panel.getByRole('button', { name: 'New prompt' }).click();
	await panel.getByRole('button', { name: 'Add prompt' }).click();
	await panel.getByText('Write the prompt.').waitFor();
	await panel.getByLabel('Prompt', { exact: true }).fill('What would your best teacher say about this?');
	await panel.getByLabel('Phase').last().selectOption('options');
	await panel.getByRole('button', { name: 'Add prompt' }).click();
	await search.fill('best teach');
	await expect.poll(() => results.getByRole('option').first().textContent()).toContain('best teacher');
	// Edited, then deleted (after a confirming second click).
	const mine = results.locator('li').filter({ hasText: 'best teacher' });
	await mine.getByRole('button', { name: 'Edit' }).click();
	await panel.getByLabel('Prompt', { exact: true }).fill('What would your best teacher say about this now?');
	await panel.getByRole('button', { name: 'Save changes' }).click();
	await expect.poll(() => results.getByRole('option').first().textContent()).toContain('say about this now?');
	await mine.getByRole('button', { name: 'Delete' }).click();
	await mine.getByRole('button', { name: 'Delete for good' }).click();
	await expect.poll(() => results.textContent()).not.toContain('best teacher');

	// Show another prompt to the coachee from the keyboard: Shift+Enter.
	await search.fill('focus tod');
	await expect.poll(() => results.getByRole('option').first().textContent()).toContain('What would you like to focus on today?');
	await search.press('Shift+Enter');
	await panel.getByTestId('prompt-card-state').getByText('Not dismissed yet').waitFor();
	await screenshot(c, 'prompts-coach-panel');

	const card = p.getByTestId('prompt-card');
	await card.getByText('What would you like to focus on today?').waitFor();
	expect(await card.textContent()).toContain('Casey Coach, your coach asks');
	await screenshot(p, 'prompts-coachee-card');
	await card.getByRole('button', { name: 'Dismiss' }).click();
	await card.waitFor({ state: 'detached' });

	await panel.getByTestId('prompt-card-state').getByText(/Dismissed by Sam Coachee/).waitFor();
	await screenshot(c, 'prompts-coach-dismissed');
	await c.setViewportSize({ width: 390, height: 844 });
	await panel.scrollIntoViewIfNeeded();
	await screenshot(c, 'prompts-coach-phone');

	// The library travels in the coach's code only.
	await expect.poll(() => coachScripts.some((s) => s.includes(UNSHOWN_LIBRARY_TEXT))).toBe(true);
	expect(coacheeScripts.length).toBeGreaterThan(0);
	expect(coacheeScripts.some((s) => s.includes(UNSHOWN_LIBRARY_TEXT))).toBe(false);
	expect(await p.content()).not.toContain(askedText);
});
