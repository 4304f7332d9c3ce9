// The soak, as `npm run soak` (issue 17; run by hand, not in CI): SOAK_SESSIONS
// coaching sessions (default 500) with their coach and coachee each holding
// a real y-websocket provider on the session's shared pad (typing about once
// every 2 s, moving their cursor in awareness every 5 s) and a socket.io
// connection in the session's room (leaving and joining again about once a
// minute), against the real server, for SOAK_MINUTES (default 30). Sessions
// turn over as they do in use: each lasts about SOAK_SESSION_MINUTES
// (default 5; the first ones staggered), then the coach ends it (summary,
// sealed pads), both leave, the documents unload, and the pair meets in a
// new session, so what a leak keeps can be told from content that piles up
// in documents that never close. Every
// SOAK_SAMPLE_SECONDS (default 60) the server's RSS and event-loop delay are
// sampled inside the server (bench/soak-probe.ts, loaded with --import) and
// its RSS from /proc too. Writes the figures, a linear trend per series
// judged by the rule in bench/soak-report.ts, and a plot
// (docs/reliability-soak.svg) to docs/reliability.md; ends with a RESULT line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { io, type Socket } from 'socket.io-client';
import { padName } from '../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../shared/protocol/index.ts';
import { rssMb, sleep, startSeededServer } from './seeded-server.ts';
import { seededRandom, writeBenchmarkSection } from './report.ts';
import { soakSvg, trendOf, type Sample } from './soak-report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 500);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60);
const SESSION_MINUTES = Number(process.env.SOAK_SESSION_MINUTES ?? 5);
/** Sessions each slot may go through: the run's length over a session's shortest life, and spare. */
const GENERATIONS = Math.ceil(MINUTES / (SESSION_MINUTES * 0.5)) + 2;
const REPORT = new URL('../docs/reliability.md', import.meta.url);
const PLOT = path.join(ROOT, 'docs', 'reliability-soak.svg');
const HEADING = '## Soak (`npm run soak`)';
/** The judging rule's tolerances: RSS may rise 10% of its mean over the run, loop p99 25% (and 5 ms). */
const RSS_TOLERANCE = 0.1;
const LOOP_TOLERANCE = 0.25;
const LOOP_FLOOR_MS = 5;

interface Person {
	provider: WebsocketProvider;
	socket: Socket;
	timers: NodeJS.Timeout[];
}

const counts = { edits: 0, awareness: 0, rejoins: 0, joinFailures: 0, padCloses: 0, socketDrops: 0, sessionsEnded: 0, endFailures: 0 };
const random = seededRandom(17);
const jitter = (ms: number) => ms * (0.5 + random());

/** The stock provider, with this person's cookie on the handshake (as the browser sends it). */
function providerFor(padUrl: string, cookie: string, sessionId: string): WebsocketProvider {
	class WithCookie extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { cookie } });
			this.on('close', (code: number) => void (code !== 1000 && code !== 1005 && counts.padCloses++));
		}
	}
	return new WebsocketProvider(padUrl, padName(sessionId, 'shared'), new Y.Doc(), { WebSocketPolyfill: WithCookie as unknown as typeof globalThis.WebSocket, disableBc: true });
}

function join(socket: Socket, sessionId: string, coach: boolean) {
	socket.timeout(30_000).emit('session:join', { sessionId, protocolVersion: PROTOCOL_VERSION }, (err: unknown, answer: { ok: boolean } | undefined) => {
		if (err || !answer?.ok) return void counts.joinFailures++;
		// The coach starts the session (an already live one answers with its start); ending needs it live.
		if (coach) socket.timeout(30_000).emit('session:start', { sessionId }, () => {});
	});
}

function person(url: string, padUrl: string, cookie: string, sessionId: string, name: string, coach: boolean): Person {
	const provider = providerFor(padUrl, cookie, sessionId);
	provider.awareness.setLocalStateField('user', { name, color: '#1f5fa8' });
	const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { protocolVersion: PROTOCOL_VERSION }, reconnectionDelayMax: 5000 });
	socket.on('connect', () => join(socket, sessionId, coach));
	socket.on('disconnect', (why) => void (why !== 'io client disconnect' && counts.socketDrops++));
	const text = provider.doc.getText('soak');
	const timers = [
		setInterval(() => {
			if (!provider.wsconnected) return;
			text.insert(text.length, random() < 0.1 ? '\n' : 'x');
			counts.edits++;
		}, jitter(2000)),
		setInterval(() => {
			provider.awareness.setLocalStateField('cursor', { index: Math.floor(random() * (text.length + 1)) });
			counts.awareness++;
		}, jitter(5000)),
		setInterval(() => {
			if (!socket.connected) return;
			// Presence: leave the room and come back, as a reload or a dropped tab does.
			socket.timeout(30_000).emit('session:leave', { sessionId }, () => join(socket, sessionId, coach));
			counts.rejoins++;
		}, jitter(60_000))
	];
	return { provider, socket, timers };
}

function leave(p: Person) {
	p.timers.forEach(clearInterval);
	p.provider.destroy();
	p.socket.close();
}

/** The coach ends the session the way the page does; resolves either way (a failure is counted). */
function endSession(coach: Person, sessionId: string): Promise<void> {
	return new Promise((resolve) => {
		if (!coach.socket.connected) return void (counts.endFailures++, resolve());
		coach.socket.timeout(60_000).emit('session:end', { sessionId }, (err: unknown, answer: { ok: boolean } | undefined) => {
			if (err || !answer?.ok) counts.endFailures++;
			else counts.sessionsEnded++;
			resolve();
		});
	});
}

/**
 * One coach and coachee meeting in session after session: each lasts about
 * SESSION_MINUTES (the first a random part of it, so endings spread out), then
 * ends and both leave. `live` holds whoever is connected now.
 */
class Slot {
	live: Person[] = [];
	private generation = 0;
	private timer: NodeJS.Timeout | null = null;
	private stopped = false;
	private readonly server: { url: string; padUrl: string; cookies: string[]; sessionIds: string[] };
	private readonly index: number;
	constructor(server: { url: string; padUrl: string; cookies: string[]; sessionIds: string[] }, index: number) {
		this.server = server;
		this.index = index;
	}

	open() {
		const at = this.generation * SESSIONS + this.index;
		const sessionId = this.server.sessionIds[at]!;
		this.live = ['Coach', 'Coachee'].map((role, i) => person(this.server.url, this.server.padUrl, this.server.cookies[at * 2 + i]!, sessionId, `${role} ${at}`, i === 0));
		const life = this.generation === 0 ? SESSION_MINUTES * 60_000 * random() : jitter(SESSION_MINUTES * 60_000);
		this.timer = setTimeout(() => void this.turnOver(sessionId), Math.max(life, 30_000));
	}

	private async turnOver(sessionId: string) {
		await endSession(this.live[0]!, sessionId);
		this.live.forEach(leave);
		this.live = [];
		if (this.stopped || this.generation + 1 >= GENERATIONS) return;
		this.generation++;
		this.open();
	}

	stop() {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		this.live.forEach(leave);
		this.live = [];
	}
}

function readProbe(file: string, startedAt: number): Sample[] {
	if (!fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((l) => JSON.parse(l) as Omit<Sample, 'minute'> & { at: number })
		.filter((s) => s.at >= startedAt)
		.map(({ at, ...s }) => ({ ...s, minute: Math.round(((at - startedAt) / 60_000) * 100) / 100 }));
}

async function main() {
	// y-websocket adds a process 'exit' listener per provider: a thousand of them is this soak, not a leak.
	process.setMaxListeners(0);
	const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-soak-')), 'probe.jsonl');
	const load = os.loadavg()[0]!;
	const server = await startSeededServer(SESSIONS * GENERATIONS, {
		// SOAK_NODE_ARGS: more flags for the server's node, e.g. --heapsnapshot-signal=SIGUSR2 to compare heap snapshots.
		nodeArgs: ['--expose-gc', '--import', path.join(ROOT, 'bench', 'soak-probe.ts'), ...(process.env.SOAK_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
		env: { SOAK_PROBE_FILE: probeFile, SOAK_SAMPLE_MS: String(SAMPLE_SECONDS * 1000) },
		prefix: 'confidante-soak-'
	});
	const pid = server.child.pid!;
	console.log(`server up; connecting ${SESSIONS * 2} people in ${SESSIONS} sessions`);
	const slots = Array.from({ length: SESSIONS }, (_, s) => new Slot(server, s));
	for (const [s, slot] of slots.entries()) {
		slot.open();
		if (s % 25 === 24) await sleep(200); // do not stampede the handshakes
	}
	const everyone = () => slots.flatMap((s) => s.live);
	for (let waited = 0; everyone().some((p) => !p.provider.synced) && waited < 120_000; waited += 500) await sleep(500);
	const synced = everyone().filter((p) => p.provider.synced).length;
	const total = SESSIONS * 2;
	console.log(`${synced} of ${total} pads synced; traffic for ${MINUTES} min, sessions of about ${SESSION_MINUTES} min, sampled every ${SAMPLE_SECONDS} s`);
	const startedAt = Date.now();
	const procRss: number[] = [];
	const sampler = setInterval(() => {
		procRss.push(rssMb(pid));
		const last = readProbe(probeFile, startedAt).at(-1);
		console.log(`${((Date.now() - startedAt) / 60_000).toFixed(1)} min: RSS ${procRss.at(-1)!.toFixed(0)} MB, loop p99 ${last?.loopP99Ms ?? '?'} ms, edits ${counts.edits}, sessions ended ${counts.sessionsEnded}`);
	}, SAMPLE_SECONDS * 1000);
	await sleep(MINUTES * 60_000 + 2000);
	clearInterval(sampler);
	const samples = readProbe(probeFile, startedAt);
	slots.forEach((s) => s.stop());
	server.child.kill('SIGTERM');
	await report(samples, procRss, { load, synced, total });
	process.exit(0);
}

async function report(samples: Sample[], procRss: number[], run: { load: number; synced: number; total: number }) {
	// The trend is judged on the steady state: after the first sessions' life (SOAK_SESSION_MINUTES), in which the
	// connections are made, every document loads, the first sessions end and caches fill. A run too short for that
	// leaves out the first sample only.
	const afterWarmUp = samples.filter((s) => s.minute >= SESSION_MINUTES);
	const steady = afterWarmUp.length >= 3 ? afterWarmUp : samples.length > 3 ? samples.slice(1) : samples;
	const warmUp = afterWarmUp.length >= 3 ? `the first ${SESSION_MINUTES} minutes (the first sessions' life: connecting, documents loading, the first endings, caches filling)` : 'the first sample (the connecting)';
	const xs = steady.map((s) => s.minute);
	const rss = trendOf(xs, steady.map((s) => s.rssMb), RSS_TOLERANCE, 0);
	const loop = trendOf(xs, steady.map((s) => s.loopP99Ms), LOOP_TOLERANCE, LOOP_FLOOR_MS);
	// Not judged: what a leak in the server's own objects or buffers would show, beside RSS (which also holds the allocator's free pages).
	const heap = trendOf(xs, steady.map((s) => s.heapUsedMb), RSS_TOLERANCE, 0);
	const external = trendOf(xs, steady.map((s) => s.externalMb ?? 0), RSS_TOLERANCE, 0);
	const short = MINUTES < 30 || SESSIONS < 500;
	const judged = steady.length >= 3;
	const verdict = !judged ? 'too few samples to judge' : rss.upward || loop.upward ? 'UPWARD TREND' : 'no upward trend';
	const when = new Date().toISOString().slice(0, 10);
	const caption = `${SESSIONS} sessions (${run.total} people), ${MINUTES} min, sampled every ${SAMPLE_SECONDS} s, ${when}${short ? ' (short run)' : ''}`;
	fs.writeFileSync(PLOT, soakSvg(steady, rss, loop, caption));
	const f = (n: number, d = 1) => n.toFixed(d);
	const rows = samples.map((s, i) => `| ${f(s.minute, 2)} | ${f(s.rssMb, 0)} | ${procRss[i] === undefined ? '–' : f(procRss[i]!, 0)} | ${f(s.heapUsedMb, 0)} | ${s.externalMb === undefined ? '–' : f(s.externalMb, 0)} | ${f(s.loopP50Ms, 2)} | ${f(s.loopP99Ms, 2)} | ${f(s.loopMaxMs, 1)} |`);
	const section = [
		HEADING,
		'',
		...(short ? [`**Short run** (${MINUTES} min, ${SESSIONS} sessions, a sample every ${SAMPLE_SECONDS} s): it proves the soak works on this machine; it is not the 30-minute, 500-session figure issue 17 asks for, which is run by hand on a quiet machine (\`npm run soak\`).`, ''] : []),
		`${SESSIONS} coaching sessions at a time, ${run.total} people, each with a y-websocket provider on the session's shared pad (an edit about every 2 s, a cursor move in awareness every 5 s) and a socket.io connection in the session's room (leaving and joining again about once a minute), against the real server on SQLite, for ${MINUTES} minutes. Sessions turn over: each lasts about ${SESSION_MINUTES} min (the first ones a random part of that), then the coach ends it (summary written, pads sealed), both leave, the documents unload, and the pair meets again in a new session.`,
		'',
		`- Command: \`SOAK_MINUTES=${MINUTES} SOAK_SESSIONS=${SESSIONS} SOAK_SESSION_MINUTES=${SESSION_MINUTES} SOAK_SAMPLE_SECONDS=${SAMPLE_SECONDS} npm run soak\``,
		`- Date: ${when}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs, load average ${f(run.load, 2)} at start and ${f(os.loadavg()[0]!, 2)} at the end (the load generator runs on the same machine, and a busy machine delays the server's loop as much as its own work does)`,
		`- Pads synced at the start: ${run.synced} of ${run.total}; edits ${counts.edits}, awareness updates ${counts.awareness}, room rejoins ${counts.rejoins}; sessions ended ${counts.sessionsEnded} (failed ${counts.endFailures}); failed joins ${counts.joinFailures}, pad connections closed by the server ${counts.padCloses}, socket drops ${counts.socketDrops}`,
		'',
		'Sampled inside the server (`bench/soak-probe.ts`): the event loop\'s delay since the previous sample (perf_hooks, beyond its 10 ms timer period), then, after a full garbage collection (not counted in the loop figures), RSS, heap used and memory held outside the heap (buffers); RSS also from `/proc` by the soak.',
		'',
		'| minute | RSS (MB) | RSS /proc (MB) | heap used after GC (MB) | outside the heap (MB) | loop p50 (ms) | loop p99 (ms) | loop max (ms) |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		'',
		`**Trend** (least-squares line over the samples after ${warmUp}): RSS ${rss.slopePerMinute >= 0 ? '+' : ''}${f(rss.slopePerMinute, 2)} MB/min (the line changes by ${f(rss.rise)} MB over the run, on a mean of ${f(rss.mean, 0)} MB), event-loop p99 ${loop.slopePerMinute >= 0 ? '+' : ''}${f(loop.slopePerMinute, 3)} ms/min (${f(loop.rise, 2)} ms over the run, on a mean of ${f(loop.mean, 2)} ms). Not judged, for reading RSS: heap used after GC ${heap.slopePerMinute >= 0 ? '+' : ''}${f(heap.slopePerMinute, 2)} MB/min (${f(heap.rise)} MB over the run, on a mean of ${f(heap.mean, 0)} MB), outside the heap ${external.slopePerMinute >= 0 ? '+' : ''}${f(external.slopePerMinute, 2)} MB/min (${f(external.rise)} MB on ${f(external.mean, 0)} MB).`,
		'',
		`**Rule:** a series trends upward when its fitted line rises over the run by more than ${RSS_TOLERANCE * 100}% of its mean (RSS) or by more than ${LOOP_TOLERANCE * 100}% of its mean and ${LOOP_FLOOR_MS} ms (event-loop p99); at least 3 samples after the warm-up are needed to judge (a shorter run judges the samples after the first). **Verdict: ${verdict}.**`,
		'',
		'![Server RSS and event-loop delay p99 per sample, with their fitted trends](reliability-soak.svg)'
	].join('\n');
	if (!fs.existsSync(REPORT)) fs.writeFileSync(REPORT, '# Reliability\n\nLong-running checks of the server under steady load; each section is written by the command it names.\n');
	await writeBenchmarkSection(HEADING, section, REPORT);
	console.log(`RESULT soak_rss_slope_mb_per_min=${f(rss.slopePerMinute, 3)} soak_loop_p99_slope_ms_per_min=${f(loop.slopePerMinute, 4)} verdict="${verdict}"${short ? ' short_run=1' : ''}`);
}

await main();
