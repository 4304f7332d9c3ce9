/**
 * What a person does before the page is ready is not lost: a name typed
 * while the scripts still load survives hydration, the account forms work
 * without JavaScript, the invite survives the header's "Sign up" and
 * "Sign in" links, and keys typed into the notes while the editor loads
 * end up in the notes.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { finishSignUpInBrowser, hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';
import { coachingPair, uniqueEmail, Visitor } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { notesOf, notesText } from '../../shared/pad/index.ts';

const app = serverAndBrowser();

/** Holds the app's scripts back, as a slow phone network would, so the page stays unhydrated for a while. */
async function slowScripts(page: Page, delayMs: number): Promise<void> {
	await page.route(/\/_app\/immutable\/.*\.js$/, async (route) => {
		await new Promise((r) => setTimeout(r, delayMs));
		await route.continue();
	});
}

it('keeps a name and email typed before the sign-up page hydrates', async () => {
	const { page } = await newPerson(app.browser, app.server.url);
	await slowScripts(page, 1_500);
	await page.goto('/signup', { waitUntil: 'commit' });
	await page.getByLabel('Your name').fill('Fenna Fast');
	await page.getByLabel('Email').fill('fenna@example.org');
	expect(await page.locator('html[data-hydrated="true"]').count()).toBe(0);
	await hydrated(page);
	await page.waitForTimeout(200);
	expect(await page.getByLabel('Your name').inputValue()).toBe('Fenna Fast');
	expect(await page.getByLabel('Email').inputValue()).toBe('fenna@example.org');
	await screenshot(page, 'page-ready-signup-typed-early');
});

it('keeps an email typed before the sign-in page hydrates', async () => {
	const { page } = await newPerson(app.browser, app.server.url);
	await slowScripts(page, 1_500);
	await page.goto('/signin', { waitUntil: 'commit' });
	await page.getByLabel('Email').fill('fenna@example.org');
	await hydrated(page);
	await page.waitForTimeout(200);
	expect(await page.getByLabel('Email').inputValue()).toBe('fenna@example.org');
});

it('signs up and in without JavaScript', async () => {
	const context = await app.browser.newContext({ baseURL: app.server.url, javaScriptEnabled: false });
	try {
		const page = await context.newPage();
		const taken = uniqueEmail('taken');
		await new Visitor(app.server.url).signUp('Someone Else', taken);
		const email = uniqueEmail('nojs');
		await page.goto('/signup');
		await page.getByLabel('Your name').fill('Noor No-Script');
		await page.getByLabel('Email').fill(taken);
		await page.getByLabel('Password').fill('correct horse battery');
		await page.getByLabel('Password').fill('1234567890');
		await page.getByRole('button', { name: 'Create account' }).click();
		// The server's message beside the field, and what was typed is still there.
		await page.getByText('This is a frequently used password.', { exact: false }).waitFor();
		expect(await page.getByLabel('Your name').inputValue()).toBe('Noor No-Script');
		// An address that has an account gets the same answer as a new one (no enumeration).
		await page.getByLabel('Password').fill('correct horse battery');
		await page.getByRole('button', { name: 'Create account' }).click();
		await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
		await page.goto('/signup');
		await page.getByLabel('Your name').fill('Noor No-Script');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('correct horse battery');
		await page.getByRole('button', { name: 'Create account' }).click();
		await finishSignUpInBrowser(page, email);
		await page.waitForURL((u) => u.pathname === '/');
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.goto('/signin');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill('correct horse battery');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await page.waitForURL((u) => u.pathname === '/');
		await page.getByText('Noor No-Script').first().waitFor();
	} finally {
		await context.close();
	}
});

it("the invite page's header links keep the invite, through sign-up and through sign-in", async () => {
	const coach = new Visitor(app.server.url);
	await coach.signUp('Casey Coach', uniqueEmail('coach'));
	const engagementId = await coach.createEngagement({ title: 'Speaking up in meetings' });

	// Sign up from the header.
	const invite1 = await coach.createInvite(engagementId);
	const one = (await newPerson(app.browser, app.server.url)).page;
	await one.goto(invite1);
	await hydrated(one);
	await one.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign up' }).click();
	await one.waitForURL(/\/signup/);
	await hydrated(one);
	await one.getByLabel('Your name').fill('Sam Coachee');
	const samEmail = uniqueEmail('sam');
	await one.getByLabel('Email').fill(samEmail);
	await one.getByLabel('Password').fill('another good password');
	await one.getByRole('button', { name: 'Create account' }).click();
	await finishSignUpInBrowser(one, samEmail);
	await one.getByRole('button', { name: 'Join the engagement' }).click();
	await one.waitForURL(/\/engagements\//);
	await one.getByTestId('members').getByText('Sam Coachee').waitFor();

	// Sign in from the header, with an account made elsewhere; also via the sign-in page's own "Create an account" link and back.
	const alex = new Visitor(app.server.url);
	const alexEmail = uniqueEmail('alex');
	await alex.signUp('Alex Coachee', alexEmail);
	const invite2 = await coach.createInvite(engagementId);
	const two = (await newPerson(app.browser, app.server.url)).page;
	await two.goto(invite2);
	await hydrated(two);
	await two.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).click();
	await two.waitForURL(/\/signin/);
	await two.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign up' }).click();
	await two.waitForURL(/\/signup/);
	await two.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).click();
	await two.waitForURL(/\/signin/);
	await hydrated(two);
	await two.getByLabel('Email').fill(alexEmail);
	await two.getByLabel('Password').fill('correct horse battery');
	await two.getByRole('button', { name: 'Sign in', exact: true }).click();
	await two.getByRole('button', { name: 'Join the engagement' }).click();
	await two.waitForURL(/\/engagements\//);
	await two.getByTestId('members').getByText('Alex Coachee').waitFor();
});

it('loads the notes editor only when the notes are used, and keeps keys typed while it loads', async () => {
	const pair = await coachingPair(app.server.url);
	const { context, page } = await newPerson(app.browser, app.server.url);
	const [name, value] = pair.coachee.cookie.split('=') as [string, string];
	await context.addCookies([{ name, value, url: app.server.url }]);
	await page.goto(`/sessions/${pair.sessionId}`);
	await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 20_000 });
	const notes = page.getByRole('textbox', { name: 'Shared notes' });
	await notes.waitFor();
	expect(await page.locator('.ProseMirror').count()).toBe(0);

	// The editor's chunk is slow to come; the coachee starts writing at once.
	await slowScripts(page, 1_500);
	await notes.click();
	// Typing goes on at a person's pace while the editor arrives and takes over, so keys land before, during and after.
	const typing = (async () => {
		await page.keyboard.type('Listen first', { delay: 40 });
		await page.keyboard.press('Enter');
		await page.keyboard.type('Then ask one question and wait for the answer.', { delay: 40 });
	})();
	await page.getByText('Loading the editor…').waitFor();
	await screenshot(page, 'page-ready-notes-loading');
	await typing;
	await page.locator('.ProseMirror').waitFor({ timeout: 20_000 });
	await expect.poll(() => page.locator('.ProseMirror p').allInnerTexts()).toEqual(['Listen first', 'Then ask one question and wait for the answer.']);
	await screenshot(page, 'page-ready-notes-editor');

	const pad = padClient(app.server.url, pair.coach.cookie, pair.sessionId);
	try {
		await pad.synced();
		await until(() => notesText(notesOf(pad.doc)) === 'Listen first\nThen ask one question and wait for the answer.', 10_000, 'notes stored');
	} finally {
		pad.destroy();
	}
});

/** A coach on their session page; while `hold.on`, the pad's messages from the server wait (a slow link), then come in order. */
async function coachOnSession(hold?: { on: boolean; release: () => void }) {
	const pair = await coachingPair(app.server.url);
	const { context, page } = await newPerson(app.browser, app.server.url);
	const [name, value] = pair.coach.cookie.split('=') as [string, string];
	await context.addCookies([{ name, value, url: app.server.url }]);
	if (hold) await page.routeWebSocket(/\/pad\//, (ws) => {
		const server = ws.connectToServer();
		ws.onMessage((m) => server.send(m));
		const held: (string | Buffer)[] = [];
		server.onMessage((m) => {
			if (hold.on) held.push(m);
			else ws.send(m);
		});
		hold.release = () => {
			hold.on = false;
			for (const m of held.splice(0)) ws.send(m);
		};
	});
	await page.goto(`/sessions/${pair.sessionId}`);
	await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 20_000 });
	await expect.poll(() => page.getByRole('button', { name: 'End session' }).isEnabled(), { timeout: 20_000 }).toBe(true);
	return page;
}

async function openEndDialog(page: Page) {
	await page.getByRole('button', { name: 'End session' }).click();
	const dialog = page.getByRole('dialog', { name: 'End the session for everyone?' });
	await dialog.getByRole('button', { name: 'Keep going' }).waitFor();
	return dialog;
}

it('the end dialog and the pad agree: notes the pad shows as saved are not reported unsaved', async () => {
	const page = await coachOnSession();
	await page.getByRole('textbox', { name: 'Shared notes' }).click();
	await page.locator('.ProseMirror').waitFor();
	await page.keyboard.type('Agreed to try one question per meeting');
	await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 10_000 });
	await page.waitForTimeout(1_000);
	const dialog = await openEndDialog(page);
	expect(await dialog.getByTestId('unsynced-warning').count()).toBe(0);
	expect(await dialog.getByRole('button', { name: 'End session' }).count()).toBe(1);
	await screenshot(page, 'page-ready-end-dialog-saved');
});

it('edits the server has not stored: the pad says "Saving…" and the dialog names the document and when it was typed', async () => {
	const hold = { on: false, release: () => {} };
	const page = await coachOnSession(hold);
	await page.getByRole('textbox', { name: 'Shared notes' }).click();
	await page.locator('.ProseMirror').waitFor();
	hold.on = true;
	await page.keyboard.type('Workload');
	await page.getByTestId('pad-status').getByText('Saving…').waitFor();
	await page.waitForTimeout(2_000);
	expect(await page.getByTestId('pad-status').textContent()).toContain('Saving…');
	const dialog = await openEndDialog(page);
	const warning = dialog.getByTestId('unsynced-warning');
	expect(await warning.textContent()).toMatch(/Your shared notes: typed [2-9] s ago, not saved yet\./);
	await screenshot(page, 'page-ready-end-dialog-unsaved');
	await dialog.getByRole('button', { name: 'Keep going' }).click();
	// Once the server's answers come through again, both say so together.
	hold.release();
	await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 10_000 });
	const again = await openEndDialog(page);
	expect(await again.getByTestId('unsynced-warning').count()).toBe(0);
});
