/**
 * Debian's Chromium driven by playwright-core, with a fake camera and
 * microphone. Each person gets their own browser context (one page per
 * context: two tabs in one context delay the first video frame).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type TestServer } from './server.ts';
import { linkFor } from './mailbox.ts';
import { uniqueEmail, Visitor } from './http.ts';
import { sessionCookieName } from '../../server/auth/index.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	'--autoplay-policy=no-user-gesture-required'
];

export async function launchBrowser(): Promise<Browser> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`npm install\` (it installs Debian's chromium) or set CHROMIUM_PATH.`);
	return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs, headless: true });
}

/** What the CSP refused in any page opened by newPerson (tests assert it stays empty). */
export const cspViolations: string[] = [];

/** A fresh person: their own context (cookies, storage, permissions), optionally in their own time zone and language. */
export async function newPerson(browser: Browser, baseURL: string, viewport = { width: 1280, height: 800 }, where: { timezoneId?: string; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ baseURL, viewport, ...where, permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
	const page = await context.newPage();
	page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
	// Anything the Content-Security-Policy refuses is a bug to fix (or a directive to widen), so every test fails on it.
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
	});
	return { context, page };
}

/** A person already signed in over HTTP (tests/helpers/http.ts), in their own browser context. */
export async function signedInPerson(browser: Browser, baseURL: string, visitor: { cookie: string }, viewport?: { width: number; height: number }) {
	const person = await newPerson(browser, baseURL, viewport);
	const [name, value] = visitor.cookie.split('=');
	await person.context.addCookies([{ name: name!, value: value!, url: baseURL }]);
	return person;
}

/** Saves a screenshot under test-results/ for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
	const dir = path.resolve(import.meta.dirname, '..', '..', 'test-results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

export const tmpProfile = () => fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-chromium-'));

/** Waits until the page's scripts have taken over, so typing is not undone by hydration. */
export async function hydrated(page: Page): Promise<void> {
	await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached' });
}

/** Signs up through the real form. */
export async function signUpInBrowser(page: Page, name: string, email: string, password = 'correct horse battery', next?: string) {
	await page.goto(next ? `/signup?next=${encodeURIComponent(next)}` : '/signup');
	await hydrated(page);
	await page.getByLabel('Your name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Create account' }).click();
	await finishSignUpInBrowser(page, email);
}

/** After "Create account": opens the link mailed to the address and finishes, as a person does. */
export async function finishSignUpInBrowser(page: Page, email: string) {
	await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
	const link = await linkFor(new URL(page.url()).origin, email, '/signup/confirm/');
	await page.goto(link);
	// A plain form post: works before hydration and without JavaScript.
	await page.getByRole('button', { name: 'Finish creating my account' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signup'));
}

/**
 * The start every engagement test shares, in two browsers: the coach signs
 * up and creates the engagement, the coachee follows the invite link, signs
 * up from it and joins. Returns the engagement page's path.
 */
export async function engagementWithCoachee(c: Page, p: Page, opts: { coach?: string; coachee?: string; title?: string; goals?: string; sessions?: string } = {}): Promise<string> {
	await signUpInBrowser(c, opts.coach ?? 'Casey Coach', uniqueEmail('casey'));
	await c.getByRole('link', { name: 'New engagement' }).click();
	await c.getByLabel('Title').fill(opts.title ?? 'Leading the team');
	await c.getByLabel('Goals').fill(opts.goals ?? 'Run the weekly team meeting with confidence');
	await c.getByLabel('Number of sessions').fill(opts.sessions ?? '6');
	await c.getByRole('button', { name: 'Create engagement' }).click();
	await c.waitForURL(/\/engagements\/[a-z2-7]{10,}$/);
	const engagement = new URL(c.url()).pathname;
	await c.getByRole('button', { name: 'Create invite link' }).click();
	const inviteUrl = await c.getByLabel(/Send this link/).inputValue();
	await p.goto(inviteUrl);
	await p.getByRole('link', { name: 'Create an account to join' }).click();
	await p.waitForURL(/\/signup/);
	await hydrated(p);
	await p.getByLabel('Your name').fill(opts.coachee ?? 'Sam Coachee');
	const samEmail = uniqueEmail('sam');
	await p.getByLabel('Email').fill(samEmail);
	await p.getByLabel('Password').fill('another good password');
	await p.getByRole('button', { name: 'Create account' }).click();
	await finishSignUpInBrowser(p, samEmail);
	await p.getByRole('button', { name: 'Join the engagement' }).click();
	await p.waitForURL(/\/engagements\//);
	return engagement;
}

/** The person signed in in this browser context, as an HTTP visitor (for steps a test does not look at). */
export async function visitorOf(context: BrowserContext, base: string): Promise<Visitor> {
	const cookie = (await context.cookies(base)).find((k) => k.name === sessionCookieName(base.startsWith('https:')));
	if (!cookie) throw new Error('this browser context is not signed in');
	const v = new Visitor(base);
	v.cookie = `${cookie.name}=${cookie.value}`;
	return v;
}

/**
 * One real server and one Chromium for a whole test file: started before the
 * first test, stopped after the last. Read `app.server` and `app.browser` inside tests.
 */
export function serverAndBrowser(opts: Parameters<typeof startServer>[0] = {}): { readonly server: TestServer; readonly browser: Browser } {
	let server: TestServer | undefined;
	let browser: Browser | undefined;
	beforeAll(async () => {
		[server, browser] = await Promise.all([startServer(opts), launchBrowser()]);
	});
	afterEach(() => {
		const refused = cspViolations.splice(0);
		expect(refused, 'nothing refused by the Content-Security-Policy').toEqual([]);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.cleanup();
	});
	return {
		get server() {
			if (!server) throw new Error('the test server is not started yet');
			return server;
		},
		get browser() {
			if (!browser) throw new Error('the browser is not started yet');
			return browser;
		}
	};
}
