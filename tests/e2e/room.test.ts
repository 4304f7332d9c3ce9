/**
 * The live room in real Chromium with fake camera and microphone, through
 * the real server and mediasoup: coach and coachee see each other's video
 * move and hear each other, mute shows on the other side, a reload rejoins
 * without the pre-join screen, a group of three sees everyone, and video
 * comes back by itself after a mediasoup worker dies and after the server
 * is killed and started again. Outsiders get no room. A camera or
 * microphone that stops by itself is explained with a button that brings
 * it back.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverAndBrowser, newPerson, screenshot, signUpInBrowser } from '../helpers/browser.ts';
import { coachingPair, uniqueEmail, type Visitor } from '../helpers/http.ts';
import { videoMoving } from '../helpers/video.ts';
import { screenShareSeen } from '../helpers/room.ts';

// Two workers, so killing the session's worker leaves a live one to move to.
const app = serverAndBrowser({ env: { MEDIA_WORKERS: '2' } });

async function personAs(visitor: Visitor, viewport?: { width: number; height: number }): Promise<Page> {
	const { context, page } = await newPerson(app.browser, app.server.url, viewport);
	const [name, value] = visitor.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.server.url }]);
	return page;
}

async function joinRoom(page: Page, sessionId: string) {
	await page.goto(`/sessions/${sessionId}`);
	await page.getByRole('button', { name: 'Join now' }).click({ timeout: 15_000 });
	await page.getByTestId('room').waitFor();
}

/** How many other people's videos are moving on this page. */
async function movingCount(page: Page): Promise<number> {
	const users = await page.$$eval('[data-testid=tile][data-self=false]', (tiles) => tiles.map((t) => t.getAttribute('data-user')!));
	let n = 0;
	for (const u of users) if (await videoMoving(page, u)) n++;
	return n;
}

/** Audio bytes and energy received from each other person (inbound-rtp stats). */
function inboundAudio(page: Page): Promise<Record<string, { bytes: number; energy: number }>> {
	type RoomProbe = { confidanteRoom: { media: { inboundAudio(): Record<string, { bytes: number; energy: number }> } } };
	return page.evaluate(() => (window as unknown as RoomProbe).confidanteRoom.media.inboundAudio());
}

async function hearsSomeone(page: Page) {
	const first = Object.values(await inboundAudio(page))[0];
	await page.waitForTimeout(1200);
	const second = Object.values(await inboundAudio(page))[0];
	return Boolean(first && second && second.bytes > first.bytes && second.energy > first.energy);
}

const poll = { timeout: 15_000, interval: 250 };

// These 1:1 tests are about the SFU (its layers, ICE restarts, worker and server recovery), so
// they keep the call there with the test switch; tests/e2e/direct.test.ts covers the direct path.
const onSfu = '?direct=off';

describe('one-to-one', () => {
	let coach: Page;
	let coachee: Page;
	let sessionId: string;

	it('coach and coachee see each other move, hear each other, and see a mute', async () => {
		const pair = await coachingPair(app.server.url);
		sessionId = pair.sessionId;
		coach = await personAs(pair.coach);
		coachee = await personAs(pair.coachee, { width: 390, height: 844 });

		await coach.goto(`/sessions/${sessionId}${onSfu}`);
		await coach.getByTestId('prejoin').waitFor();
		await coach.locator('[data-testid=prejoin] video').waitFor();
		await screenshot(coach, 'room-coach-prejoin');
		await coach.getByRole('button', { name: 'Join now' }).click();
		// While the coachee looks at their preview, the coach sees them in the session but not in the call.
		await coachee.goto(`/sessions/${sessionId}${onSfu}`);
		await coach.locator('[data-testid=tile][data-self=false]').getByTestId('waiting').waitFor();
		await screenshot(coach, 'room-coach-waits-for-coachee');
		await coachee.getByRole('button', { name: 'Join now' }).click();
		await expect.poll(() => coach.locator('[data-testid=tile][data-self=false]').getByTestId('waiting').count(), poll).toBe(0);

		await expect.poll(() => videoMoving(coach), poll).toBe(true);
		await expect.poll(() => videoMoving(coachee), poll).toBe(true);
		await expect.poll(() => hearsSomeone(coach), poll).toBe(true);
		await expect.poll(() => hearsSomeone(coachee), poll).toBe(true);
		expect(await coach.getByTestId('room').getAttribute('data-layout')).toBe('one-to-one');
		// The large 1:1 view gets the full camera layer.
		await expect.poll(() => coach.$eval('[data-testid=tile][data-self=false] video', (v) => (v as HTMLVideoElement).videoWidth), poll).toBe(640);

		// Mute shows on the other side, and unmuting clears it.
		await coachee.getByRole('button', { name: 'Mute' }).click();
		await coach.locator('[data-testid=tile][data-self=false][data-mic=off]').getByText('Muted').waitFor();
		await coachee.getByRole('button', { name: 'Camera off' }).click();
		await expect.poll(() => coach.locator('[data-testid=tile][data-self=false] video').count(), poll).toBe(0);
		await screenshot(coach, 'room-coach-sees-muted-coachee');
		await coachee.getByRole('button', { name: 'Unmute' }).click();
		await coachee.getByRole('button', { name: 'Camera on' }).click();
		await coach.locator('[data-testid=tile][data-self=false][data-mic=on]').waitFor();
		await expect.poll(() => videoMoving(coach), poll).toBe(true);

		// A connection indicator from getStats for the other person.
		await coach.locator('[data-testid=tile][data-self=false] [data-testid=quality][data-level=good]').waitFor({ timeout: 10_000 });
		const label = await coach.locator('[data-testid=tile][data-self=false] [data-testid=quality]').getAttribute('aria-label');
		expect(label).toMatch(/^Connection good: \d+ ms round trip, [\d.]+% loss, \d+ kbps$/);
		await screenshot(coach, 'room-coach-1to1');
		await screenshot(coachee, 'room-coachee-1to1-phone');
	});

	it('a shared screen takes the large place on both sides until it stops', async () => {
		await screenShareSeen(coach, coachee, 'Casey Coach', 'room-coachee-sees-screen');
	});

	it('a reload rejoins the call without the pre-join screen', async () => {
		await coachee.reload();
		await coachee.getByTestId('room').waitFor();
		expect(await coachee.getByTestId('prejoin').count()).toBe(0);
		await expect.poll(() => videoMoving(coachee), poll).toBe(true);
		await expect.poll(() => videoMoving(coach), poll).toBe(true);
	});

	it('a dropped connection shows "reconnecting…" to the other, and the call goes on when it is back', async () => {
		await coachee.context().setOffline(true);
		// The server notices the silent socket within its ping interval + timeout (10 s).
		await coach.locator('[data-testid=tile][data-self=false]').getByText('Sam Coachee is reconnecting…').waitFor({ timeout: 15_000 });
		await screenshot(coach, 'room-coach-sees-coachee-reconnecting');
		await coachee.context().setOffline(false);
		// The tab came back on a new socket and took its transports back (ICE restart, no new transports).
		await expect.poll(() => app.server.logs.some((l) => l.includes('"msg":"media joined"') && l.includes('"kept":true')), poll).toBe(true);
		await expect.poll(() => coach.locator('[data-testid=tile][data-self=false]').getByText('is reconnecting…').count(), poll).toBe(0);
		await expect.poll(() => videoMoving(coach), poll).toBe(true);
		await expect.poll(() => videoMoving(coachee), poll).toBe(true);
	});

	it('video resumes by itself when the session’s mediasoup worker dies', async () => {
		const opened = app.server.logs.filter((l) => l.includes('media room opened') && l.includes(sessionId)).at(-1);
		const pid = Number(/"worker":(\d+)/.exec(opened ?? '')?.[1]);
		const children = execFileSync('pgrep', ['-P', String(app.server.process.pid), '-f', 'mediasoup-worker']).toString().trim().split('\n').map(Number);
		expect(children, app.server.logs.filter((l) => l.includes("media room")).join("\n")).toContain(pid);
		process.kill(pid, 'SIGKILL');
		// The frozen picture must be replaced by a moving one on both sides, without any click.
		await expect.poll(() => app.server.logs.some((l) => l.includes('media room moved to a live worker')), poll).toBe(true);
		await expect.poll(() => videoMoving(coach), poll).toBe(true);
		await expect.poll(() => videoMoving(coachee), poll).toBe(true);
		// The dead worker is replaced, so the pool is back to two.
		const workers = () => execFileSync('pgrep', ['-P', String(app.server.process.pid), '-f', 'mediasoup-worker']).toString().trim().split('\n').map(Number);
		await expect.poll(() => workers().filter((p) => p !== pid).length, poll).toBe(2);
	});

	it('no media request failed on the server during all of this', () => {
		// Apart from the worker this file kills on purpose.
		const errors = app.server.logs.filter((l) => /"level":(50|60)/.test(l) && l.includes('media') && !l.includes('mediasoup worker died'));
		expect(errors).toEqual([]);
	});

	it('video resumes within 5 s of a killed server being back', async () => {
		await app.server.stop('SIGKILL');
		await coach.getByText('Connection lost; reconnecting by itself…').waitFor();
		await expect.poll(() => videoMoving(coach), { timeout: 3000 }).toBe(false);
		await app.server.restart();
		const back = Date.now();
		await expect.poll(async () => (await videoMoving(coach)) && (await videoMoving(coachee)), { timeout: 10_000, interval: 100 }).toBe(true);
		const resumedMs = Date.now() - back;
		console.log(`media resumed ${resumedMs} ms after the server was back`);
		expect(resumedMs).toBeLessThan(5000);
		await expect.poll(() => hearsSomeone(coach), poll).toBe(true);
		await coach.context().close();
		await coachee.context().close();
	});
});

describe('group and outsiders', () => {
	it('three people in a group engagement all see each other', async () => {
		const group = await coachingPair(app.server.url, { coachees: 2 });
		const pages = [await personAs(group.coach), await personAs(group.coachees[0]!), await personAs(group.coachees[1]!)];
		for (const p of pages) await joinRoom(p, group.sessionId);
		for (const p of pages) await expect.poll(() => movingCount(p), poll).toBe(2);
		// Grid tiles get the small simulcast layer (320x240 of the 640x480 camera).
		const widths = () => pages[0]!.$$eval('[data-testid=tile][data-self=false] video', (vs) => vs.map((v) => (v as HTMLVideoElement).videoWidth));
		await expect.poll(widths, poll).toEqual([320, 320]);
		expect(await pages[0]!.getByTestId('room').getAttribute('data-layout')).toBe('grid');
		await expect.poll(() => hearsSomeone(pages[1]!), poll).toBe(true);
		await screenshot(pages[0]!, 'room-group-coach');
		// Closing the tab removes the person for the others at once (no 30 s "reconnecting").
		const closedAt = Date.now();
		await pages[2]!.close({ runBeforeUnload: true });
		await expect.poll(() => pages[0]!.locator('[data-testid=tile][data-self=false]').count(), poll).toBe(1);
		expect(Date.now() - closedAt).toBeLessThan(5000);
		// So does the Leave button, which takes the person back to the engagement.
		await pages[1]!.getByRole('button', { name: 'Leave' }).click();
		await pages[1]!.waitForURL(/\/engagements\//);
		await pages[0]!.getByText('Waiting for the others to join…').waitFor();
		for (const p of pages) await p.context().close();
	});

	it('a blocked camera is explained and the person joins with the microphone alone', async () => {
		const { coach, coachee, sessionId } = await coachingPair(app.server.url);
		const c = await personAs(coach);
		const e = await personAs(coachee);
		// The browser refuses the camera, as it does when a person clicked "Block".
		await e.addInitScript(() => {
			const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
			navigator.mediaDevices.getUserMedia = async (constraints) => {
				if (constraints?.video) throw new DOMException('Permission denied', 'NotAllowedError');
				return original(constraints);
			};
		});
		await e.goto(`/sessions/${sessionId}`);
		await e.getByTestId('device-problem').getByText(/camera is blocked for this site/).waitFor();
		await e.getByText('No camera').waitFor();
		await e.getByRole('button', { name: 'Turn camera on' }).waitFor();
		await screenshot(e, 'room-coachee-camera-blocked');
		await e.getByRole('button', { name: 'Join now' }).click();
		await joinRoom(c, sessionId);
		// The coach hears the coachee and sees their initials instead of a video.
		await expect.poll(() => hearsSomeone(c), poll).toBe(true);
		await c.locator('[data-testid=tile][data-self=false][data-mic=on]').waitFor();
		expect(await c.locator('[data-testid=tile][data-self=false] video').count()).toBe(0);
		await expect.poll(() => videoMoving(e), poll).toBe(true);
		await c.context().close();
		await e.context().close();
	});

	it('a non-member and a signed-out browser get no room', async () => {
		const { sessionId } = await coachingPair(app.server.url);
		const { page: outsider } = await newPerson(app.browser, app.server.url);
		await signUpInBrowser(outsider, 'Olly Outsider', uniqueEmail('olly'));
		const res = await outsider.goto(`/sessions/${sessionId}`);
		expect(res?.status()).toBe(404);
		expect(await outsider.getByTestId('prejoin').count()).toBe(0);
		const { page: anonymous } = await newPerson(app.browser, app.server.url);
		await anonymous.goto(`/sessions/${sessionId}`);
		expect(new URL(anonymous.url()).pathname).toBe('/signin');
		expect(await anonymous.getByTestId('prejoin').count()).toBe(0);
		await outsider.context().close();
		await anonymous.context().close();
	});
});

/**
 * Ends this page's own camera or microphone track the way the browser does
 * when the device goes away: the track stops and fires `ended` (a page's
 * own `stop()` does not fire it, so the test dispatches it).
 */
function endLocalTrack(page: Page, kind: 'video' | 'audio'): Promise<boolean> {
	return page.evaluate((kind) => {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page exposes its room object for tests only; its type lives in the web bundle
		const media = (window as any).confidanteRoom.media;
		const track: MediaStreamTrack | null = kind === 'video' ? media.localCamera : media.micTrack;
		if (!track) return false;
		track.stop();
		track.dispatchEvent(new Event('ended'));
		return true;
	}, kind);
}

describe('own devices stopping in the call', () => {
	it('a camera that stops is explained with a button that turns it back on, and the other sees it off', async () => {
		const { coach, coachee, sessionId } = await coachingPair(app.server.url);
		const c = await personAs(coach);
		const e = await personAs(coachee);
		await joinRoom(c, sessionId);
		await joinRoom(e, sessionId);
		const remoteVideo = () => e.locator('[data-testid=tile][data-self=false] video').count();
		await expect.poll(remoteVideo, poll).toBe(1);

		expect(await endLocalTrack(c, 'video')).toBe(true);
		const notice = c.getByTestId('media-problem');
		await notice.getByText('Your camera stopped. Turn it back on or pick another one.').waitFor({ timeout: 5000 });
		expect(await notice.getAttribute('data-kind')).toBe('camera-stopped');
		await c.getByRole('toolbar').getByRole('button', { name: 'Camera on', exact: true }).waitFor();
		// The coachee sees the coach's camera off, not a frozen last frame.
		await expect.poll(remoteVideo, poll).toBe(0);
		await screenshot(c, 'room-camera-stopped');

		await notice.getByRole('button', { name: 'Turn camera on' }).click();
		await expect.poll(() => c.getByTestId('media-problem').count(), poll).toBe(0);
		await c.getByRole('toolbar').getByRole('button', { name: 'Camera off', exact: true }).waitFor();
		await expect.poll(remoteVideo, poll).toBe(1);
		await c.context().close();
		await e.context().close();
	});

	it('a microphone that stops is explained, shows as off to the other, and is heard again once turned back on', async () => {
		const { coach, coachee, sessionId } = await coachingPair(app.server.url);
		const c = await personAs(coach);
		const e = await personAs(coachee);
		await joinRoom(c, sessionId);
		await joinRoom(e, sessionId);
		await e.locator('[data-testid=tile][data-self=false][data-mic=on]').waitFor({ timeout: 15_000 });

		expect(await endLocalTrack(c, 'audio')).toBe(true);
		const notice = c.getByTestId('media-problem');
		await notice.getByText('Your microphone stopped. Turn it back on or pick another one.').waitFor({ timeout: 5000 });
		await e.locator('[data-testid=tile][data-self=false][data-mic=off]').waitFor({ timeout: 15_000 });

		await notice.getByRole('button', { name: 'Turn microphone on' }).click();
		await expect.poll(() => c.getByTestId('media-problem').count(), poll).toBe(0);
		await e.locator('[data-testid=tile][data-self=false][data-mic=on]').waitFor({ timeout: 15_000 });
		await expect.poll(() => hearsSomeone(e), poll).toBe(true);
		await c.context().close();
		await e.context().close();
	});
});
