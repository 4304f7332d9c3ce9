// What a session page costs to open: every JavaScript response a coachee's
// session page receives before the call starts (pre-join screen with the
// camera preview, the room prepared, the pad saved), with the bytes the
// server actually sent and the bytes it would take gzipped. The coach's page
// (with the Prompts tab opened) is reported for information. Real build, real
// server, headless Chromium. Run with `npm run bench:weight` (`node bench/weight.ts`).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { ROOT, startServer } from '../tests/helpers/server.ts';
import { launchBrowser, newPerson } from '../tests/helpers/browser.ts';
import { coachingPair, type Visitor } from '../tests/helpers/http.ts';
import { writeBenchmarkSection } from './report.ts';

const GOAL_GZIP_BYTES = 200 * 1000;
/** The page counts as settled once no script arrived for this long after it was ready. */
const QUIET_MS = 2_000;
const HEADING = '## Session page weight (`npm run bench:weight`)';

/** What a script mostly holds, told by a string that survives minifying (first match wins). */
const HOLDS: Array<[string, string]> = [
	['ProseMirror', 'notes editor (Tiptap, ProseMirror)'],
	['mediasoup', 'mediasoup-client'],
	['scoping-happening-now', 'prompt panel and library'],
	['Yjs was already imported', 'Yjs, y-websocket'],
	['ZodError', 'zod'],
	['socket.io', 'session page, socket.io-client'],
	['svelte.dev/e', 'Svelte runtime'],
	['sveltekit', 'SvelteKit client']
];

interface Script {
	url: string;
	holds: string;
	/** Body bytes as transferred (after Content-Encoding). */
	served: number;
	/** Body bytes once decoded. */
	raw: number;
	/** The decoded body gzipped (level 9, as the build precompresses). */
	gzip: number;
	encoding: string;
}

interface Weight {
	scripts: Script[];
	served: number;
	raw: number;
	gzip: number;
}

async function record(response: Response): Promise<Script | null> {
	const type = (await response.headerValue('content-type')) ?? '';
	if (!/javascript/.test(type) || response.status() !== 200) return null;
	const body = await response.body();
	const sizes = await response.request().sizes();
	const text = body.toString('utf8');
	return {
		url: new URL(response.url()).pathname,
		holds: HOLDS.find(([marker]) => text.includes(marker))?.[1] ?? '',
		served: sizes.responseBodySize,
		raw: body.length,
		gzip: gzipSync(body, { level: 9 }).length,
		encoding: (await response.headerValue('content-encoding')) ?? 'identity'
	};
}

/** Opens a session page as `visitor` and sums the scripts it fetched until `ready` and a quiet moment after. */
async function weigh(browser: Browser, url: string, visitor: Visitor, sessionId: string, ready: (page: Page) => Promise<void>): Promise<Weight> {
	const { context, page } = await newPerson(browser, url);
	const [name, value] = visitor.cookie.split('=');
	await context.addCookies([{ name: name!, value: value!, url }]);
	const pending: Promise<Script | null>[] = [];
	let last = Date.now();
	page.on('response', (r) => {
		last = Date.now();
		pending.push(record(r));
	});
	try {
		await page.goto(`/sessions/${sessionId}`);
		await ready(page);
		while (Date.now() - last < QUIET_MS) await page.waitForTimeout(200);
		const scripts = (await Promise.all(pending)).filter((s): s is Script => s !== null);
		const sum = (k: 'served' | 'raw' | 'gzip') => scripts.reduce((n, s) => n + s[k], 0);
		return { scripts, served: sum('served'), raw: sum('raw'), gzip: sum('gzip') };
	} finally {
		await context.close();
	}
}

/** The state of a page right before the person clicks "Join now". */
async function beforeTheCall(page: Page): Promise<void> {
	await page.locator('[data-testid=prejoin] video').waitFor({ timeout: 20_000 });
	await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 20_000 });
	await page.waitForFunction(() => performance.getEntriesByName('room:prepared').length > 0, null, { timeout: 20_000 });
}

const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
const w = (x: Weight) => `${x.scripts.length} scripts, ${kb(x.served)} served, ${kb(x.gzip)} gzipped`;

function table(w: Weight): string[] {
	return [
		'| Script | mostly | served | encoding | decoded | gzip -9 |',
		'| --- | --- | --- | --- | --- | --- |',
		...[...w.scripts].sort((a, b) => b.gzip - a.gzip).map((s) => `| \`${path.basename(s.url)}\` | ${s.holds} | ${kb(s.served)} | ${s.encoding} | ${kb(s.raw)} | ${kb(s.gzip)} |`),
		`| **All ${w.scripts.length} scripts** | | **${kb(w.served)}** | | **${kb(w.raw)}** | **${kb(w.gzip)}** |`
	];
}

async function main(): Promise<void> {
	execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit' });
	const loadAverage = loadavg()[0]!.toFixed(2);
	const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
	let coachee: Weight;
	let coacheeWriting: Weight;
	let coach: Weight;
	try {
		const pair = await coachingPair(server.url);
		coachee = await weigh(browser, server.url, pair.coachee, pair.sessionId, beforeTheCall);
		coacheeWriting = await weigh(browser, server.url, pair.coachee, pair.sessionId, async (page) => {
			await beforeTheCall(page);
			await page.getByRole('textbox', { name: 'Shared notes' }).click();
			await page.locator('.ProseMirror').waitFor({ timeout: 20_000 });
		});
		coach = await weigh(browser, server.url, pair.coach, pair.sessionId, async (page) => {
			await beforeTheCall(page);
			await page.getByRole('tab', { name: 'Prompts' }).click();
			await page.getByRole('combobox', { name: 'Search prompts' }).waitFor({ timeout: 20_000 });
		});
	} finally {
		await browser.close();
		await server.cleanup();
	}
	const met = coachee.gzip <= GOAL_GZIP_BYTES;
	const section = [
		HEADING,
		'',
		"A coachee opens their session page and stays on the pre-join screen: camera preview on, the room's",
		'media prepared (mediasoup-client loaded, transports ready), the pad connected and saved; then',
		`${QUIET_MS / 1000} s with no new script. Every JavaScript response is counted: "served" is the body as it`,
		'came over the wire (Chromium asks for gzip, deflate and br; the server sends the precompressed file),',
		'"gzip -9" is the decoded body gzipped here, the figure the goal is set in. The notes editor (Tiptap)',
		'loads when someone points at, touches or focuses the notes, so it is not in this count; the prompt',
		'library only on the coach\'s Prompts tab.',
		'',
		'- Command: `npm run bench:weight` (`node bench/weight.ts`; builds first if the build is stale)',
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, Chromium headless, ${cpus()[0]?.model ?? 'unknown CPU'}`,
		`- Machine: ${cpus().length} CPUs, load average ${loadAverage} at start`,
		'',
		"### Coachee's session page, before the call",
		'',
		...table(coachee),
		'',
		`Goal: at most ${kb(GOAL_GZIP_BYTES)} of gzipped JavaScript; measured ${kb(coachee.gzip)} (${met ? 'met' : 'not met'}).`,
		'Before this change (issue 11): 1,018.9 kB of JavaScript served uncompressed, 288 kB if gzipped.',
		`Once the coachee clicks into the notes, the editor comes too: ${w(coacheeWriting)}.`,
		'',
		"### Coach's session page, Prompts tab open (for information)",
		'',
		...table(coach)
	].join('\n');
	await writeBenchmarkSection(HEADING, section);
	console.log(`coachee: ${coachee.scripts.length} scripts, served ${coachee.served} B, decoded ${coachee.raw} B, gzip ${coachee.gzip} B (goal ${GOAL_GZIP_BYTES}: ${met ? 'met' : 'not met'})`);
	console.log(`coachee writing notes: ${w(coacheeWriting)}`);
	console.log(`coach (Prompts tab open): ${coach.scripts.length} scripts, served ${coach.served} B, decoded ${coach.raw} B, gzip ${coach.gzip} B`);
	console.log(`RESULT session_page_js_gzip_bytes=${coachee.gzip} session_page_js_served_bytes=${coachee.served}`);
}

await main();
