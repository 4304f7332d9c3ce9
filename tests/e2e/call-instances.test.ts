/**
 * Issue 16: a call across two instances, in real Chromium pages. The coach's
 * page talks to instance A, the coachee's to instance B (each through a TCP
 * forwarder that stands in for the load balancer), on one PostgreSQL schema
 * and one Redis database. A call of two connects browser to browser through
 * the relayed signalling; on the SFU (test switch) the video moves both ways,
 * end-to-end encrypted, through the owner's router; then the owner instance
 * is SIGKILLed, the coach's connections go to B, and the call resumes there.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, signedInPerson } from '../helpers/browser.ts';
import { coachingPair, type Visitor } from '../helpers/http.ts';
import { forwarder, startInstances, stopInstances, type Forwarder, type Instance } from '../helpers/media-instances.ts';

let browser: Browser;
let instances: Instance[] = [];
let toA: Forwarder;
let toB: Forwarder;
beforeAll(async () => {
	[instances, browser] = await Promise.all([startInstances(2, { MEDIA_WORKERS: '1' }), launchBrowser()]);
	[toA, toB] = await Promise.all([forwarder(instances[0]!.port), forwarder(instances[1]!.port)]);
});
afterAll(async () => {
	await browser?.close();
	await Promise.all([toA?.close(), toB?.close()]);
	await stopInstances(instances);
});

const poll = { timeout: 20_000, interval: 250 };
type Probe = { confidanteRoom: { path: 'direct' | 'sfu' } };
const pathOf = (page: Page) => page.evaluate(() => (window as unknown as Probe).confidanteRoom.path);
/**
 * Whether the other person's camera, as this page receives it, shows moving
 * pictures: its track in a <video> of the test's own, two looks 300 ms apart.
 * Read from the media layer, not the tiles: the tiles follow presence, which
 * spans instances only with the rooms' cluster presence (another branch).
 */
function remoteVideoMoving(page: Page): Promise<boolean> {
	return page.evaluate(async () => {
		type Remote = { kind: string; source: string; track: MediaStreamTrack };
		const room = (window as unknown as { confidanteRoom?: { media: { remote: Remote[] } } }).confidanteRoom;
		const track = room?.media.remote.find((r) => r.kind === 'video' && r.source === 'camera')?.track;
		if (!track || track.readyState !== 'live') return false;
		const w = window as unknown as { probeVideo?: HTMLVideoElement };
		const video = (w.probeVideo ??= Object.assign(document.createElement('video'), { muted: true, autoplay: true, playsInline: true }));
		if ((video.srcObject as MediaStream | null)?.getVideoTracks()[0] !== track) video.srcObject = new MediaStream([track]);
		await video.play().catch(() => {});
		if (video.videoWidth === 0 || video.readyState < 2) return false;
		const canvas = Object.assign(document.createElement('canvas'), { width: video.videoWidth, height: video.videoHeight });
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const grab = () => (ctx.drawImage(video, 0, 0), ctx.getImageData(0, 0, canvas.width, canvas.height).data);
		const a = grab();
		await new Promise((r) => setTimeout(r, 300));
		const b = grab();
		let changed = 0;
		for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 30) changed++;
		return changed > 50;
	});
}
const badgeOf = (page: Page) => page.getByTestId('call-privacy').getAttribute('data-mode');

/** On failure: what each instance warned about and what each page showed, to look at. */
function explainFailure(pages: Page[]): void {
	onTestFailed(async () => {
		for (const s of instances) console.log(`--- ${s.id}\n${s.logs.filter((l) => /"level":(40|50|60)/.test(l) || /media (lease|owner|room|joined)/.test(l)).slice(-60).join('\n')}`);
		for (const [i, p] of pages.entries()) await screenshot(p, `instances-failed-${i}`).catch(() => {});
	});
}

async function inRoom(visitor: Visitor, via: Forwarder, sessionId: string, query = ''): Promise<Page> {
	const { page } = await signedInPerson(browser, via.url, visitor);
	page.on('console', (m) => {
		if (m.type() === 'warning' || m.type() === 'error') console.log(`[page ${via.port}] ${m.text().slice(0, 300)}`);
	});
	await page.goto(`/sessions/${sessionId}${query}`);
	await page.getByRole('button', { name: 'Join now' }).click({ timeout: 15_000 });
	await page.getByTestId('room').waitFor();
	return page;
}

describe('a call with the coach on instance A and the coachee on instance B', () => {
	it('goes browser to browser, the signalling relayed between the instances', async () => {
		const [a] = instances as [Instance];
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const c = await inRoom(coach, toA, sessionId);
		const e = await inRoom(coachee, toB, sessionId);
		explainFailure([c, e]);
		for (const p of [c, e]) {
			await expect.poll(() => pathOf(p), poll).toBe('direct');
			await expect.poll(() => remoteVideoMoving(p), poll).toBe(true);
		}
		await c.context().close();
		await e.context().close();
	});

	it('moves video both ways through the owner’s SFU, encrypted, and resumes through B when A is killed', async () => {
		const [a, b] = instances as [Instance, Instance];
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const c = await inRoom(coach, toA, sessionId, '?direct=off');
		const e = await inRoom(coachee, toB, sessionId, '?direct=off');
		explainFailure([c, e]);
		for (const p of [c, e]) {
			await expect.poll(() => remoteVideoMoving(p), poll).toBe(true);
			await expect.poll(() => badgeOf(p), poll).toBe('e2ee');
		}
		// A hosts the room (the coach came first); B forwarded the coachee's signalling there.
		const owner = (s: Instance) => s.logs.some((l) => l.includes('media lease taken') && l.includes(sessionId));
		expect([owner(a), owner(b)]).toEqual([true, false]);
		await screenshot(e, 'instances-coachee-on-b');

		await a.stop('SIGKILL');
		const killedAt = Date.now();
		// The load balancer would now send the coach's reconnects to B.
		toA.retarget(b.port);
		await expect.poll(async () => (await remoteVideoMoving(c)) && (await remoteVideoMoving(e)), { timeout: 30_000, interval: 250 }).toBe(true);
		const resumedMs = Date.now() - killedAt;
		console.log(`call resumed on instance B ${resumedMs} ms after instance A was killed`);
		expect(owner(b)).toBe(true);
		await expect.poll(() => badgeOf(c), poll).toBe('e2ee');
		await screenshot(c, 'instances-coach-after-a-died');
		await c.context().close();
		await e.context().close();
	});
});
