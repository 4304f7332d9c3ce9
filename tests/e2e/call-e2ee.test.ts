/**
 * End-to-end encryption through the SFU (issue 18), in real Chromium pages
 * with the fake camera through the real server and mediasoup:
 * - with encryption on, the members see each other's video move, while a
 *   member without the keys (a tap on what the SFU forwards: its page drops
 *   every sender key it is given) receives frames and cannot open one;
 * - after a member leaves, the sender key rotates: the key id the others
 *   now use is none the leaver ever held, and the video goes on;
 * - a browser with only the older insertable streams encrypts too; a
 *   browser that cannot encrypt is told before joining, lowers the call to
 *   "encrypted to the server", and is kept out once the coach requires it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { hydrated, newPerson, screenshot, serverAndBrowser } from '../helpers/browser.ts';
import { coachingPair, userIdOn, type Visitor } from '../helpers/http.ts';
import { videoMoving } from '../helpers/video.ts';
import type { StatsReply } from '../../web/src/lib/room/e2ee/messages.ts';

const app = serverAndBrowser();
const poll = { timeout: 20_000, interval: 300 };

/** Scripts run before the page's own: they change what the browser offers, as another browser would. */
const browsers = {
	/** Only the older insertable streams (createEncodedStreams), as in Chromium before RTCRtpScriptTransform. */
	insertableStreamsOnly: 'delete window.RTCRtpScriptTransform;',
	/** No encoded transforms at all. */
	noTransforms: 'delete window.RTCRtpScriptTransform; delete RTCRtpSender.prototype.createEncodedStreams; delete RTCRtpReceiver.prototype.createEncodedStreams;',
	/** A member who never gets a key: every sender key handed to its encryption worker is thrown away. */
	keyless: `{ const post = Worker.prototype.postMessage; Worker.prototype.postMessage = function (m, t) { if (m && m.type === 'receive-key') return; return post.call(this, m, t); }; }`
};

/** Every person's browser context, closed after each test: a call left running in the background slows the next test's camera start past its timeouts. */
const opened: BrowserContext[] = [];
afterEach(async () => {
	await Promise.allSettled(opened.splice(0).map((c) => c.close()));
});

async function personAs(visitor: Visitor, init?: string, viewport?: { width: number; height: number }): Promise<Page> {
	const { context, page } = await newPerson(app.browser, app.server.url, viewport);
	opened.push(context);
	const [name, value] = visitor.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.server.url }]);
	if (init) await context.addInitScript(init);
	return page;
}

/** A call of two goes direct by itself; `onSfu` keeps it on the SFU, where the frames are encrypted in the browsers. */
const onSfu = '?direct=off';

async function joinRoom(page: Page, sessionId: string, query = '') {
	await page.goto(`/sessions/${sessionId}${query}`);
	await page.getByRole('button', { name: 'Join now' }).click({ timeout: 15_000 });
	await page.getByTestId('room').waitFor();
}

type Probe = { confidanteRoom: { media: { encryption: { keyId: number; stats(): Promise<StatsReply> } | null } } };
const e2eeStats = (page: Page) => page.evaluate(() => (window as unknown as Probe).confidanteRoom.media.encryption!.stats());
const sendKeyId = (page: Page) => page.evaluate(() => (window as unknown as Probe).confidanteRoom.media.encryption!.keyId);
const badge = (page: Page) => page.getByTestId('call-privacy').getAttribute('data-mode');

describe('encrypted calls', () => {
	it('members see moving video; a member without the keys receives frames it cannot open', async () => {
		const group = await coachingPair(app.server.url, { coachees: 2 });
		const [coachId, samId] = await Promise.all([userIdOn(group.coach, group.sessionId), userIdOn(group.coachees[0]!, group.sessionId)]);
		const coach = await personAs(group.coach);
		const sam = await personAs(group.coachees[0]!, undefined, { width: 390, height: 844 });
		const tap = await personAs(group.coachees[1]!, browsers.keyless);
		for (const p of [coach, sam, tap]) await joinRoom(p, group.sessionId);

		await expect.poll(() => videoMoving(sam, coachId), poll).toBe(true);
		await expect.poll(() => videoMoving(coach, samId), poll).toBe(true);
		for (const p of [coach, sam, tap]) expect(await badge(p)).toBe('e2ee');
		await coach.getByTestId('call-privacy').getByText('End-to-end encrypted').waitFor();

		// The tap gets the coach's frames through the SFU, encrypted, and opens none of them.
		await expect.poll(async () => (await e2eeStats(tap)).stats.received[coachId]?.dropped ?? 0, poll).toBeGreaterThan(30);
		const tapped = (await e2eeStats(tap)).stats.received[coachId]!;
		expect(tapped.decrypted).toBe(0);
		expect(tapped.plain).toBe(0);
		expect(await videoMoving(tap, coachId)).toBe(false);
		// The members open them, and nothing went out in clear.
		const seen = (await e2eeStats(sam)).stats.received[coachId]!;
		expect(seen.decrypted).toBeGreaterThan(30);
		expect(seen.plain).toBe(0);
		const sent = (await e2eeStats(coach)).stats.sent;
		expect(sent.encrypted).toBeGreaterThan(30);
		expect(sent.plain).toBe(0);
		await screenshot(coach, 'e2ee-room-coach');
		await screenshot(sam, 'e2ee-room-coachee-phone');
	});

	it('when a member leaves, the others rotate to a key the leaver never held', async () => {
		const group = await coachingPair(app.server.url, { coachees: 2 });
		const coachId = await userIdOn(group.coach, group.sessionId);
		const coach = await personAs(group.coach);
		const sam = await personAs(group.coachees[0]!);
		const alex = await personAs(group.coachees[1]!);
		for (const p of [coach, sam, alex]) await joinRoom(p, group.sessionId);
		await expect.poll(() => videoMoving(alex, coachId), poll).toBe(true);
		await expect.poll(() => videoMoving(sam, coachId), poll).toBe(true);

		const held = (await e2eeStats(alex)).receiveKeys[coachId] ?? [];
		expect(held).toContain(await sendKeyId(coach));
		await alex.getByRole('button', { name: 'Leave' }).click();
		await alex.waitForURL(/\/engagements\//);

		await expect.poll(async () => held.includes(await sendKeyId(coach)), poll).toBe(false);
		const current = await sendKeyId(coach);
		// Sam follows the rotation: frames under the new key open and the picture goes on.
		await expect.poll(async () => (await e2eeStats(sam)).stats.received[coachId]?.lastKeyId, poll).toBe(current);
		await expect.poll(() => videoMoving(sam, coachId), poll).toBe(true);
	});
});

describe('browsers that cannot encrypt, and the coach requiring it', () => {
	it('insertable streams encrypt too; a browser without transforms is told, lowers the call, and is kept out when required', async () => {
		const pair = await coachingPair(app.server.url);
		const [coachId, samId] = await Promise.all([userIdOn(pair.coach, pair.sessionId), userIdOn(pair.coachee, pair.sessionId)]);
		const coach = await personAs(pair.coach, browsers.insertableStreamsOnly);
		const sam = await personAs(pair.coachee);
		await joinRoom(coach, pair.sessionId, onSfu);
		await joinRoom(sam, pair.sessionId, onSfu);
		await expect.poll(() => videoMoving(sam, coachId), poll).toBe(true);
		await expect.poll(() => videoMoving(coach, samId), poll).toBe(true);
		expect(await badge(coach)).toBe('e2ee');
		expect((await e2eeStats(sam)).stats.received[coachId]!.decrypted).toBeGreaterThan(0);
		await sam.getByRole('button', { name: 'Leave' }).click();
		await sam.context().close();

		// The same coachee from a browser without encoded transforms: told before joining.
		const old = await personAs(pair.coachee, browsers.noTransforms);
		await old.goto(`/sessions/${pair.sessionId}${onSfu}`);
		await old.getByTestId('e2ee-unsupported').waitFor();
		await screenshot(old, 'e2ee-prejoin-unsupported');
		await old.getByRole('button', { name: 'Join now' }).click();
		await old.getByTestId('room').waitFor();
		await expect.poll(() => badge(coach), poll).toBe('server');
		await expect.poll(() => videoMoving(old, coachId), poll).toBe(true);
		await expect.poll(() => videoMoving(coach, samId), poll).toBe(true);
		expect(await badge(old)).toBe('server');
		await screenshot(coach, 'e2ee-room-encrypted-to-server');
		await old.getByRole('button', { name: 'Leave' }).click();
		await expect.poll(() => badge(coach), poll).toBe('e2ee');

		// The coach requires end-to-end encryption on the engagement page.
		const engagement = await personAs(pair.coach);
		await engagement.goto(`/engagements/${pair.engagementId}`);
		await hydrated(engagement);
		await engagement.getByLabel('Require end-to-end encrypted calls').check();
		await engagement.getByRole('button', { name: 'Save call privacy' }).click();
		await engagement.getByTestId('call-privacy-card').getByText(/This engagement requires it/).waitFor();
		await screenshot(engagement, 'e2ee-engagement-call-privacy');

		// Now the browser that cannot encrypt is told why and cannot join.
		await old.goto(`/sessions/${pair.sessionId}`);
		await old.getByTestId('e2ee-refused').waitFor();
		expect(await old.getByRole('button', { name: 'Join now' }).isDisabled()).toBe(true);
		await screenshot(old, 'e2ee-prejoin-refused');
		const phone = await personAs(pair.coachee, browsers.noTransforms, { width: 390, height: 844 });
		await phone.goto(`/sessions/${pair.sessionId}`);
		await phone.getByTestId('e2ee-refused').waitFor();
		await screenshot(phone, 'e2ee-prejoin-refused-phone');

		// A call of two on the direct path meets the requirement: end to end by itself.
		await coach.context().close();
		const [direct, samAgain] = [await personAs(pair.coach), await personAs(pair.coachee, undefined, { width: 390, height: 844 })];
		for (const p of [direct, samAgain]) await joinRoom(p, pair.sessionId);
		for (const p of [direct, samAgain]) await expect.poll(() => badge(p), poll).toBe('direct');
		await expect.poll(() => videoMoving(samAgain, coachId), poll).toBe(true);
		await screenshot(direct, 'e2ee-required-direct');
		await screenshot(samAgain, 'e2ee-required-direct-phone');
	});
});
