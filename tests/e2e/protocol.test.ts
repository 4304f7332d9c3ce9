/**
 * A session page built for an older protocol (simulated by rewriting the
 * version its socket.io handshake presents) is refused at connect, and the
 * person reads why and what to do where the session's problems are shown.
 */
import { expect, it } from 'vitest';
import { serverAndBrowser, newPerson, screenshot } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

const app = serverAndBrowser();

it('tells a page from an older build to reload', async () => {
	const pair = await coachingPair(app.server.url);
	const { context, page } = await newPerson(app.browser, app.server.url);
	await context.addCookies([{ name: 'confidante_session', value: pair.coach.cookie.split('=')[1]!, url: app.server.url }]);
	const presented: string[] = [];
	await page.routeWebSocket(/\/socket\.io\//, (ws) => {
		const server = ws.connectToServer();
		ws.onMessage((message) => {
			// The socket.io CONNECT packet ("40" + auth) carries the page's protocol version.
			if (typeof message === 'string' && message.startsWith('40')) {
				presented.push(message);
				message = message.replace(`"protocolVersion":${PROTOCOL_VERSION}`, `"protocolVersion":${PROTOCOL_VERSION - 1}`);
			}
			server.send(message);
		});
	});
	await page.goto(`/sessions/${pair.sessionId}`);
	const alert = page.getByRole('alert').filter({ hasText: 'older version' });
	await alert.waitFor({ timeout: 15_000 });
	expect(await alert.textContent()).toBe('This page is from an older version of Confidante. Reload the page to continue.');
	expect(presented[0]).toContain(`"protocolVersion":${PROTOCOL_VERSION}`);
	await screenshot(page, 'protocol-outdated-page');
});
