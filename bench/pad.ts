// Pad sync under load, as `npm run bench:pad` (Node 24 strips the types):
// S coaching sessions, coach and coachee each typing about 5 edits per
// second into the shared pad for BENCH_SECONDS (default 60), against
// (1) a plain in-memory y-websocket relay with no persistence
// (bench/pad-reference.ts) and (2) this server, which signs every
// connection in and stores every update before relaying it. Both run as
// their own process; the clients run here. Reports propagation latency
// (edit made by one person -> applied at the other's client) p50/p99 and
// the server process's CPU and RSS, for S = 100 and 500 (BENCH_SESSIONS
// overrides), over BENCH_ROUNDS rounds (default 5) whose medians are
// reported, appends them to docs/benchmarks.md, and ends with
// `RESULT pad_p99_ratio_vs_reference=<n> pad_p99_ms=<n>` for the largest S
// (the median of the rounds' p99 ratios, the median pad p99).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { connectPairs, percentile, startTyping } from './pad-client.ts';
import { newId } from '../server/auth/tokens.ts';
import { cpuSeconds, rssMb, sleep, startSeededServer, waitForLine } from './seeded-server.ts';
import { padName } from '../shared/pad/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SESSIONS = process.env.BENCH_SESSIONS ? [Number(process.env.BENCH_SESSIONS)] : [100, 500];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
// Tails on a shared 2-core machine vary from run to run: several rounds, medians reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const EDITS_PER_SECOND = 5;
const WARMUP_MS = 3_000;
const REPORT = path.join(ROOT, 'docs', 'benchmarks.md');
const HEADING = '## Agreed-actions pad (`npm run bench:pad`)';
// Node flags for the pad server only, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface Target {
	kind: 'reference' | 'pad';
	url: string;
	child: ChildProcess;
	cookies: string[];
	sessionIds: string[];
}

interface RunResult {
	kind: Target['kind'];
	sessions: number;
	edits: number;
	received: number;
	p50: number;
	p99: number;
	max: number;
	cpuPercent: number;
	clientCpuPercent: number;
	rssMaxMb: number;
	rssEndMb: number;
}

let stopping = false;

async function startTarget(kind: Target['kind'], sessions: number): Promise<Target> {
	if (kind === 'reference') {
		const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'pad-reference.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		const m = await waitForLine(child, /listening (\d+)/);
		const ids = Array.from({ length: sessions }, () => newId());
		return { kind, child, url: `ws://127.0.0.1:${m[1]}`, cookies: [], sessionIds: ids };
	}
	const server = await startSeededServer(sessions, { nodeArgs: SERVER_NODE_ARGS, prefix: 'confidante-bench-pad-' });
	return { kind, child: server.child, url: server.padUrl, cookies: server.cookies, sessionIds: server.sessionIds };
}

async function run(kind: Target['kind'], sessions: number): Promise<RunResult> {
	stopping = false;
	const target = await startTarget(kind, sessions);
	const pid = target.child.pid!;
	const latencies: number[] = [];
	let measuring = false;
	const onLatency = (ms: number) => latencies.push(ms);
	const names = target.sessionIds.slice(0, sessions).map((id) => padName(id, 'shared'));
	const clients = await connectPairs(names, target.cookies, () => target.url, onLatency, () => stopping);
	// Everyone types: one character at a time, ~5 per second, each on their own rhythm.
	let edits = 0;
	const stopTyping = startTyping(clients, EDITS_PER_SECOND, () => measuring, () => edits++);
	await sleep(WARMUP_MS);
	measuring = true;
	const cpuStart = cpuSeconds(pid);
	const clientCpuStart = process.cpuUsage();
	const wallStart = performance.now();
	let rssMax = 0;
	const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 1000);
	await sleep(SECONDS * 1000);
	measuring = false;
	const cpuPercent = ((cpuSeconds(pid) - cpuStart) / ((performance.now() - wallStart) / 1000)) * 100;
	const clientCpu = process.cpuUsage(clientCpuStart);
	const clientCpuPercent = ((clientCpu.user + clientCpu.system) / 1e6 / ((performance.now() - wallStart) / 1000)) * 100;
	const rssEnd = rssMb(pid);
	clearInterval(sampler);
	stopTyping();
	// Let the last edits land (a slow server shows as a long tail, not as loss).
	for (let waited = 0; latencies.length < edits && waited < 30_000; waited += 250) await sleep(250);
	stopping = true;
	await Promise.race([
		Promise.all(clients.map((c) => new Promise((r) => (c.ws.readyState === WebSocket.CLOSED ? r(null) : (c.ws.once('close', r), c.ws.close()))))),
		sleep(5000)
	]);
	target.child.kill('SIGTERM');
	await new Promise((r) => target.child.once('exit', r));
	latencies.sort((a, b) => a - b);
	return {
		kind,
		sessions,
		edits,
		received: latencies.length,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies[latencies.length - 1] ?? NaN,
		cpuPercent,
		clientCpuPercent,
		rssMaxMb: Math.max(rssMax, rssEnd),
		rssEndMb: rssEnd
	};
}

const f = (n: number, d = 1) => n.toFixed(d);
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Round {
	reference: RunResult;
	pad: RunResult;
}

/** One row per server: the median over rounds of each figure. */
function medianRow(sessions: number, kind: Target['kind'], runs: RunResult[]): string {
	const m = (pick: (r: RunResult) => number, d = 1) => f(median(runs.map(pick)), d);
	const name = kind === 'pad' ? 'Confidante pad (auth + stored before relay, SQLite + journal)' : 'Reference relay (memory only)';
	return `| ${sessions} | ${name} | ${m((r) => r.edits, 0)} | ${m((r) => r.received, 0)} | ${m((r) => r.p50, 2)} | ${m((r) => r.p99, 2)} | ${m((r) => r.max)} | ${m((r) => r.cpuPercent)} | ${m((r) => r.rssMaxMb)} | ${m((r) => r.clientCpuPercent)} |`;
}

async function main() {
	const bySessions = new Map<number, Round[]>();
	const load = os.loadavg()[0]!;
	for (const s of SESSIONS) {
		const rounds: Round[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			// Alternate which server goes first, so a drift in the machine's load does not favour one.
			const order = round % 2 ? (['reference', 'pad'] as const) : (['pad', 'reference'] as const);
			const results = {} as Round;
			for (const kind of order) {
				console.log(`S=${s} round ${round}/${ROUNDS}: ${kind} server, ${s * 2} clients, ${SECONDS} s ...`);
				const r = await run(kind, s);
				console.log(`  edits ${r.edits}, received ${r.received}, p50 ${f(r.p50, 2)} ms, p99 ${f(r.p99, 2)} ms, max ${f(r.max)} ms, CPU ${f(r.cpuPercent)}% (clients ${f(r.clientCpuPercent)}%), RSS max ${f(r.rssMaxMb)} MB`);
				results[kind] = r;
			}
			console.log(`  round ${round}: p99 ratio ${f(results.pad.p99 / results.reference.p99, 2)}`);
			rounds.push(results);
		}
		bySessions.set(s, rounds);
	}
	const ratioOf = (rounds: Round[]) => median(rounds.map((r) => r.pad.p99 / r.reference.p99));
	const rows = [...bySessions].flatMap(([s, rounds]) => [medianRow(s, 'reference', rounds.map((r) => r.reference)), medianRow(s, 'pad', rounds.map((r) => r.pad))]);
	const ratios = [...bySessions].map(([s, rounds]) => `| ${s} | ${rounds.map((r) => f(r.pad.p99 / r.reference.p99, 2)).join(' / ')} | **${f(ratioOf(rounds), 2)}** |`);
	const largest = Math.max(...SESSIONS);
	const ratio = ratioOf(bySessions.get(largest)!);
	const padP99 = median(bySessions.get(largest)!.map((r) => r.pad.p99));
	const section = [
		HEADING,
		'',
		`S coaching sessions, coach and coachee each typing ${EDITS_PER_SECOND} edits per second (one character, one Yjs update) into the shared pad for ${SECONDS} s after a ${WARMUP_MS / 1000} s warm-up.`,
		"Latency: from the edit at one person's client to the update applied at the other's. Clients run in the bench process, each server in its own process;",
		"CPU is the server process's (100% = one core), RSS its maximum resident memory.",
		'The reference is `bench/pad-reference.ts`: a minimal in-memory y-websocket relay on the same yjs 13 + y-protocols (the y-websocket package no longer ships a server), with no sign-in, no limits and no persistence.',
		`Each S runs ${ROUNDS} rounds; a round runs both servers one after the other (which goes first alternates). The table gives each figure's median over the rounds; the ratio is the median of the rounds' p99 ratios.`,
		'',
		`- Command: \`npm run bench:pad\` (BENCH_SESSIONS=${process.env.BENCH_SESSIONS ?? 'default'}, BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS})`,
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
		`- Machine: ${os.cpus().length} CPUs, load average ${f(load, 2)} at start`,
		'',
		'| S | Server | edits | delivered | p50 ms | p99 ms | max ms | server CPU % | server RSS MB | clients CPU % |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		'',
		'| S | p99 ratio pad / reference, by round | median |',
		'| --- | --- | --- |',
		...ratios,
		'',
		`At S = ${largest} the pad's p99 is ${f(ratio, 2)}x the reference's (goal: within 1.2x; ${ratio <= 1.2 ? 'met' : 'not met'}) while every update is stored (journal append) before it is relayed.`,
		'',
		...EXPLANATION,
		''
	].join('\n');
	const doc = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Benchmarks\n';
	const start = doc.indexOf(HEADING);
	let next = start >= 0 ? doc.indexOf('\n## ', start + HEADING.length) : -1;
	if (next < 0) next = doc.length;
	const updated = start >= 0 ? doc.slice(0, start) + section + doc.slice(next) : doc.trimEnd() + '\n\n' + section;
	fs.writeFileSync(REPORT, updated);
	console.log(`\n${section}`);
	console.log(`RESULT pad_p99_ratio_vs_reference=${f(ratio, 3)} pad_p99_ms=${f(padP99, 2)}`);
	process.exit(0);
}

/** What the figures mean and what shaped them; kept with the code that produces them. */
const EXPLANATION = [
	"How to read this: the pad's latency includes the durable write. Each accepted update is appended to the pad journal (`DATA_DIR/pad-journal`, one write system call, see server/pad/store/journal.ts) as soon as it is applied, and relayed once written; documents are compacted into SQLite snapshots in the background and journal segments deleted once covered.",
	'',
	'What shaped it (CPU profiles of both servers at S = 500, and rounds of 20 s at S = 500 on this machine, same day):',
	'- Committing each event-loop turn\'s updates to a SQLite table on the main thread (the previous design) cost about 10 µs per update, mostly a write-ahead-log frame per document page per commit: the pad server used about 40% of a core against the reference\'s 30%, and the median ratio was 1.85 in 60 s rounds.',
	'- Appending to the journal file once per turn brought the server\'s CPU to within a few points of the reference (about 35% against 31%) but left the p50 0.3 ms behind (1.20 against 0.91 ms): an update waited for the rest of its turn\'s messages before being written and relayed. Ratios 1.13 / 1.67 / 1.63.',
	'- Appending each update as it is applied (about 3 µs; the record is encoded by hand into a reused buffer) and relaying it straight away made the p50s equal (0.9-1.0 ms both) and gave ratios 1.22 / 1.48 / 1.28. The journal then costs about 4% of a core (the write system call about 3%), the update inspection against crafted updates about 1%.',
	"- Relaying and storing a peer's update as the bytes it sent, instead of letting Yjs re-encode every transaction (it does so whenever anything listens for 'update'), saved about as much as the journal costs: in 20 s rounds the two servers' CPU was level (27-30% each) and the ratios 0.89 / 1.20 / 1.40. Updates that waited for a missing piece, and the server's own changes, are still encoded from the document.",
	'- Writes on a worker thread (tried in an earlier design) were slower than on the main thread: the hand-over and the thread\'s scheduling on 2 cores cost more than the write.',
	"- Issue 19's guard against costly updates made it worse (ratio 2.82, CPU 58.8% against the reference's 47.0%, RSS 442 MB against 299 MB before): each document kept its last snapshot plus every update accepted since in memory, to undo an update found over budget after applying it (about 200 bytes of heap per keystroke until the next compaction); every keystroke ran the full cost estimate (its views, maps and string keys: a quarter of the server's per-update work in a CPU profile); and a keystroke timed by the clock was refused whenever the loaded machine held the process up for 100 ms (seen in bench runs as undelivered edits). Now an undone update is rebuilt from the store (store.load), a keystroke between two whole neighbours is costed by two binary searches, and the clock's verdict is checked against CPU time before refusing.",
	'Checkpoints of the SQLite file (which fsync) run on their own thread; the journal is flushed to disk every second on the thread pool, never on the main thread.',
	'The machine is shared and has 2 cores for the server, its writes and the 1,000 clients: scheduling delay adds to both servers\' tails, so single rounds vary (0.8 to 1.9 with the same server code); hence the rounds and medians.'
];

await main();
