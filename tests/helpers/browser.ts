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

/** A fresh person: their own context (cookies, storage, permissions). */
export async function newPerson(browser: Browser, baseURL: string, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ baseURL, viewport, permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
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
