// Join speed as a coach feels it: from clicking "Join now" on the pre-join
// screen to the first decoded frame of their video on the coachee's screen,
// 1:1, two headless Chromium contexts on loopback through the real server
// and mediasoup. Run with `npm run bench:join` (`node bench/join.ts`).
//
// Phases come from performance marks the room sets (room:join-click,
// room:signalled, room:send-connected, room:first-frame); both pages run in
// one browser process, so timeOrigin + startTime is one clock for both.
import { cpus, loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../tests/helpers/server.ts';
import { launchBrowser, newPerson } from '../tests/helpers/browser.ts';
import { coachingPair, type Visitor } from '../tests/helpers/http.ts';
import { writeBenchmarkSection } from './report.ts';

/** `JOIN_RUNS` sets how many runs (the section says how many); `JOIN_PATHS` (e.g. `direct,e2ee`) makes a profiling run of those paths only, which leaves docs/benchmarks.md alone. */
const RUNS = Number(process.env.JOIN_RUNS ?? 12);
const ONLY = process.env.JOIN_PATHS?.split(',');
const takes = (path: Path) => !ONLY || ONLY.includes(path);
const WARMUP = 1;
const GOAL_MS = 500;
/** Issue 18's goal for each new path (direct, and the SFU with end-to-end encryption). */
const PATH_GOAL_MS = 150;
const SETTLE_MS = 2000;
const HEADING = '## Join to first remote frame (`npm run bench:join`)';
/** The plain SFU path, as before end-to-end encryption: pages that cannot transform encoded frames. */
const WITHOUT_E2EE = 'delete window.RTCRtpScriptTransform; delete RTCRtpSender.prototype.createEncodedStreams; delete RTCRtpReceiver.prototype.createEncodedStreams;';
/** `sfu`: kept on the SFU, without encryption; `e2ee`: kept on the SFU, encrypted; `direct`: a call of two as it runs, peer to peer. */
type Path = 'sfu' | 'e2ee' | 'direct';

interface Mark {
	name: string;
	at: number;
	detail?: { userId?: string; screen?: boolean };
}

interface Run {
	signalling: number;
	connect: number;
	firstFrame: number;
	total: number;
	/** Direct and encrypted runs: ms from the click to each step (STEPS), NaN for a step not seen. */
	steps?: Record<string, number>;
}

/**
 * The steps of the direct and encrypted paths, in the order they happen: a
 * mark on the coach's page (`coach:`) or the coachee's (`coachee:`), its
 * first occurrence after the click. Both pages run in one browser process,
 * so their marks share one clock.
 */
const STEPS: Array<[string, string]> = [
	['coach:room:join-ack', "join acknowledged (coach's page)"],
	['coachee:room:direct-open', "direct connection opened (coachee's page)"],
	['any:room:direct-offer-sent', 'first offer sent'],
	['any:room:direct-offer-received', 'offer received'],
	['any:room:direct-answer-received', 'answer received'],
	['coachee:room:direct-track', "coach's track known (coachee's page)"],
	['coachee:room:direct-ice-connected', "ICE connected (coachee's page)"],
	['coachee:room:direct-connected', "DTLS connected (coachee's page)"],
	['coachee:room:direct-state-received', "coach's state over the data channel (coachee's page)"],
	['coach:room:e2ee-announced', "public key announced, others' keys known (coach's page)"],
	['coach:room:e2ee-key-sent', "sender key sealed and sent (coach's page)"],
	['coachee:room:e2ee-key-received', "coach's sender key opened (coachee's page)"],
	['coachee:room:consumer-ready', "consumer ready (coachee's page)"],
	['coachee:room:first-frame', "first frame (coachee's page)"]
];

async function stepsOf(coach: Page, coachee: Page, since: number, click: number, frame: number): Promise<Record<string, number>> {
	const read = (page: Page) => page.evaluate((since) => (window as unknown as { confidanteRoom: { marks(): Mark[] } }).confidanteRoom.marks().filter((m) => m.at >= since), since);
	const [a, b] = await Promise.all([read(coach), read(coachee)]);
	const out: Record<string, number> = {};
	for (const [key] of STEPS) {
		const [who, ...rest] = key.split(':');
		const name = rest.join(':');
		const pool = who === 'coach' ? a : who === 'coachee' ? b : [...a, ...b];
		const at = pool.filter((m) => m.name === name && m.at <= frame + 1).map((m) => m.at);
		out[key] = at.length ? Math.min(...at) - click : NaN;
	}
	return out;
}

/**
 * Waits inside the page (a PerformanceObserver, no polling from here: polling
 * would steal the CPU the pages need on a small machine).
 */
function waitForMark(page: Page, name: string, after = 0, timeoutMs = 20_000): Promise<Mark> {
	return page.evaluate(
		({ name, after, timeoutMs }) =>
			new Promise<Mark>((resolve, reject) => {
				const pick = (list: PerformanceEntryList) =>
					list
						.map((m) => ({ name: m.name, at: performance.timeOrigin + m.startTime, detail: (m as PerformanceMark).detail }))
						.find((m) => m.name === name && m.at >= after && !m.detail?.screen);
				const now = pick(performance.getEntriesByType('mark'));
				if (now) return resolve(now);
				const timer = setTimeout(() => reject(new Error(`no ${name} mark within ${timeoutMs} ms`)), timeoutMs);
				const observer = new PerformanceObserver((list) => {
					const found = pick(list.getEntries());
					if (!found) return;
					clearTimeout(timer);
					observer.disconnect();
					resolve(found);
				});
				observer.observe({ type: 'mark' });
			}),
		{ name, after, timeoutMs }
	);
}

async function personAs(browser: Browser, url: string, visitor: Visitor, path: Path): Promise<Page> {
	const { context, page } = await newPerson(browser, url);
	if (path === 'sfu') await context.addInitScript(WITHOUT_E2EE);
	const [name, value] = visitor.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url }]);
	return page;
}

async function oneRun(browser: Browser, url: string, path: Path): Promise<Run> {
	// The SFU runs keep a call of two off the direct path (test switch).
	const query = path === 'direct' ? '' : '?direct=off';
	const pair = await coachingPair(url);
	const coachee = await personAs(browser, url, pair.coachee, path);
	const coach = await personAs(browser, url, pair.coach, path);
	try {
		// The coachee waits in the room; the coach is on the pre-join screen with the preview running.
		await coachee.goto(`/sessions/${pair.sessionId}${query}`);
		await coachee.getByRole('button', { name: 'Join now' }).click();
		await waitForMark(coachee, 'room:published');
		// As in a real session, the coachee has been waiting a moment. (Right after
		// their own join, their page is still busy starting up for a second or so,
		// which delays every first frame in both directions.)
		await coachee.waitForTimeout(SETTLE_MS);
		await coach.goto(`/sessions/${pair.sessionId}${query}`);
		await coach.locator('[data-testid=prejoin] video').waitFor();
		await waitForMark(coach, 'room:prepared');
		await coach.waitForTimeout(300); // Let the preview settle, as a person would look at it.

		const since = await coach.evaluate(() => performance.timeOrigin + performance.now());
		const frameSeen = waitForMark(coachee, 'room:first-frame', since);
		await coach.getByRole('button', { name: 'Join now' }).click();
		const frame = await frameSeen;
		// The direct path has no SFU transport to time: its own steps are read from both pages' marks.
		if (path === 'direct') {
			const click = (await waitForMark(coach, 'room:join-click', since)).at;
			return { signalling: NaN, connect: NaN, firstFrame: NaN, total: frame.at - click, steps: await stepsOf(coach, coachee, since, click, frame.at) };
		}
		const [click, signalled, connected] = await Promise.all([
			waitForMark(coach, 'room:join-click', since),
			waitForMark(coach, 'room:signalled', since),
			waitForMark(coach, 'room:send-connected', since)
		]);
		const steps = path === 'e2ee' ? await stepsOf(coach, coachee, since, click.at, frame.at) : undefined;
		return { signalling: signalled.at - click.at, connect: connected.at - signalled.at, firstFrame: frame.at - connected.at, total: frame.at - click.at, steps };
	} finally {
		await coach.context().close();
		await coachee.context().close();
	}
}

/** The steps a run saw, for the console: `name +ms` from the click. */
function stepLine(r: Run): string {
	return Object.entries(r.steps ?? {})
		.filter(([, ms]) => !Number.isNaN(ms))
		.map(([key, ms]) => `${key.replace(':room:', ':')} ${ms.toFixed(0)}`)
		.join(', ');
}

/** Median time from the click to each step the runs saw, as table rows. */
function stepRows(runs: Run[], row: (label: string, s: ReturnType<typeof stats>) => string): string[] {
	const out: string[] = [];
	for (const [key, label] of STEPS) {
		const seen = runs.map((r) => r.steps?.[key] ?? NaN).filter((ms) => !Number.isNaN(ms));
		if (seen.length >= runs.length / 2) out.push(row(label, stats(seen)));
	}
	return out;
}

function stats(values: number[]) {
	if (values.length === 0) return { median: NaN, p10: NaN, p90: NaN, min: NaN, max: NaN };
	const sorted = [...values].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
	return { median: at(0.5), p10: at(0.1), p90: at(0.9), min: sorted[0]!, max: sorted.at(-1)! };
}

async function main(): Promise<void> {
	const loadAverage = loadavg()[0]!.toFixed(2);
	const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
	const runs: Run[] = [];
	const e2eeRuns: Run[] = [];
	const direct: Run[] = [];
	try {
		// The two paths take turns, so a change in the machine's load touches both alike.
		for (let i = 0; i < WARMUP + RUNS; i++) {
			for (const path of (['sfu', 'e2ee'] as const).filter(takes)) {
				const r = await oneRun(browser, server.url, path);
				const label = `${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}`} ${path}`;
				console.log(`${label.padEnd(13)} total ${r.total.toFixed(0)} ms (signalling ${r.signalling.toFixed(0)}, transport connect ${r.connect.toFixed(0)}, first frame ${r.firstFrame.toFixed(0)}${r.steps ? `; ${stepLine(r)}` : ''})`);
				if (i >= WARMUP) (path === 'sfu' ? runs : e2eeRuns).push(r);
			}
			// The direct path in the same run, taking turns, so all three see the same machine.
			if (!takes('direct')) continue;
			const d = await oneRun(browser, server.url, 'direct');
			console.log(`${`${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}`} direct`.padEnd(13)} total ${d.total.toFixed(0)} ms (${stepLine(d)})`);
			if (i >= WARMUP) direct.push(d);
		}
	} finally {
		await browser.close();
		await server.cleanup();
	}
	const phase = (k: Exclude<keyof Run, 'steps'>) => stats(runs.map((r) => r[k]));
	const row = (label: string, s: ReturnType<typeof stats>) => `| ${label} | ${s.median.toFixed(0)} | ${s.p10.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} |`;
	const total = phase('total');
	const e2ee = stats(e2eeRuns.map((r) => r.total));
	const p2p = stats(direct.map((r) => r.total));
	const section = [
		HEADING,
		'',
		'A coachee waits in the room; the coach, on the pre-join screen with the camera preview on,',
		'clicks "Join now". Measured: click to the first decoded frame of the coach\'s video on the',
		"coachee's page (requestVideoFrameCallback), 1:1, two headless Chromium contexts with fake",
		'camera and microphone, on loopback through the real server and mediasoup (VP8 simulcast, opus).',
		'Each run uses a new session (new router) and new browser contexts. The coachee has been in the room',
		`for ${SETTLE_MS / 1000} s before the coach's page opens; measured right after their own join, the coachee's page is`,
		'still starting up (pad editor, panels) and every first frame, both ways, came about a second later.',
		'',
		'- Command: `npm run bench:join` (`node bench/join.ts`)',
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`,
		`- Machine: ${cpus().length} CPUs, load average ${loadAverage} at start`,
		`- Runs: ${RUNS} after ${WARMUP} warm-up`,
		...(Number(loadAverage) > cpus().length ? [`- The machine was loaded (load average ${loadAverage} on ${cpus().length} CPUs): these figures say more about the load than about the code; compare only runs made under the same load.`] : []),
		'',
		'| Phase (ms) | median | p10 | p90 | min | max |',
		'| --- | --- | --- | --- | --- | --- |',
		row('Signalling: click to publishing starts', phase('signalling')),
		row('Transport connect: to the send transport connected (ICE + DTLS)', phase('connect')),
		row("First frame: to the first decoded frame on the coachee's page", phase('firstFrame')),
		row('**Total: click to first remote frame**', total),
		row('**Total with end-to-end encryption** (same runs, taking turns)', e2ee),
		row('**Direct path (a call of two, peer to peer): click to first remote frame**', p2p),
		'',
		'Steps of the direct path, from the click (marks on both pages, first occurrence):',
		'',
		'| Step, ms after the click | median | p10 | p90 | min | max |',
		'| --- | --- | --- | --- | --- | --- |',
		...stepRows(direct, row),
		'',
		'Steps of the SFU path with end-to-end encryption, from the click:',
		'',
		'| Step, ms after the click | median | p10 | p90 | min | max |',
		'| --- | --- | --- | --- | --- | --- |',
		...stepRows(e2eeRuns, row),
		'',
		'The phases are the plain SFU path (pages without encoded transforms). With end-to-end encryption the',
		'browsers also agree keys (ECDH, sealed sender keys over the socket) and every frame passes an AES-GCM transform in a worker.',
		'',
		'The SFU rows keep the call on the SFU with the `?direct=off` test switch; the direct row is a call of two as it runs by default, measured alternately with the SFU runs in the same process.',
		`Goals: plain SFU median <= ${GOAL_MS} ms (${total.median <= GOAL_MS ? 'met' : 'not met'}); end-to-end encrypted and direct paths <= ${PATH_GOAL_MS} ms each (${e2ee.median <= PATH_GOAL_MS ? 'met' : 'not met'} with encryption, ${p2p.median <= PATH_GOAL_MS ? 'met' : 'not met'} direct). For scale, a plain peer-to-peer call between two Chromium pages on this machine shows its first remote frame in about 220 ms.`,
		'The router capabilities and both transports are set up while the pre-join screen shows (nobody sees a tab in the room before it publishes), so after the click only producing, ICE + DTLS of the send transport, consuming on the other side and the first key frame remain.'
	].join('\n');
	if (ONLY) console.log(section);
	else await writeBenchmarkSection(HEADING, section);
	console.log(`median ${total.median.toFixed(0)} ms, p10 ${total.p10.toFixed(0)}, p90 ${total.p90.toFixed(0)}, min ${total.min.toFixed(0)}, max ${total.max.toFixed(0)}`);
	console.log(`e2ee median ${e2ee.median.toFixed(0)} ms, p10 ${e2ee.p10.toFixed(0)}, p90 ${e2ee.p90.toFixed(0)}`);
	console.log(`direct path: median ${p2p.median.toFixed(0)} ms, p10 ${p2p.p10.toFixed(0)}, p90 ${p2p.p90.toFixed(0)}`);
	console.log(`RESULT join_first_frame_median_ms=${total.median.toFixed(0)} join_e2ee_median_ms=${e2ee.median.toFixed(0)} join_p2p_median_ms=${p2p.median.toFixed(0)}`);
}

await main();
