/**
 * The session page's live connection in real Chromium: when the server
 * answers the handshake with "could not check your sign-in" (its database
 * was down for a moment), the page tries again on the retry policy's delays
 * and gets in, instead of showing "Reconnecting…" until it is reloaded.
 */
import { expect, it } from 'vitest';
import { serverAndBrowser, newPerson } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';

const app = serverAndBrowser();

it('a handshake refused as "unavailable" is retried until the session is joined', async () => {
	const pair = await coachingPair(app.server.url);
	const { context, page } = await newPerson(app.browser, app.server.url);
	const [name, value] = pair.coachee.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.server.url }]);
	// Plays the server for the first connection: opens the engine.io session and answers
	// each socket.io CONNECT as the sign-in middleware does when the database is down.
	const refusals: number[] = [];
	let faking = true;
	await page.routeWebSocket(/\/socket\.io\//, (ws) => {
		if (!faking) return void ws.connectToServer();
		ws.send(`0${JSON.stringify({ sid: 'fake', upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 })}`);
		ws.onMessage((m) => {
			if (typeof m !== 'string' || !m.startsWith('40')) return;
			refusals.push(Date.now());
			if (refusals.length < 3) return void ws.send(`44${JSON.stringify({ message: 'The server could not check your sign-in; try again.', data: { code: 'unavailable' } })}`);
			// Enough: the next try goes to the real server.
			faking = false;
			void ws.close();
		});
	});
	await page.goto(`/sessions/${pair.sessionId}`);
	await page.getByTestId('presence').getByText('Sam Coachee (you)').waitFor({ timeout: 20_000 });
	expect(refusals.length).toBe(3);
	const gaps = refusals.slice(1).map((t, i) => t - refusals[i]!);
	console.log(`handshake retried after ${gaps.join(', ')} ms`);
	// On the session policy's delays (0.25-2 s), not at once and not after a long wait (slack for a loaded machine).
	for (const g of gaps) {
		expect(g).toBeGreaterThanOrEqual(200);
		expect(g).toBeLessThan(2000 + 1500);
	}
	await context.close();
});
