// Several instances under load, as `npm run bench:instances` (issue 16).
// S coaching sessions (BENCH_SESSIONS, default 500) seeded into a fresh
// PostgreSQL database; coach and coachee each type 5 edits per second
// (BENCH_EDITS_PER_SECOND) into
// the shared pad for BENCH_SECONDS (default 30):
//  - multi: three instances on that database and one Redis (a private
//    redis-server), the coach of session s on instance s mod 3 and the
//    coachee on the next one, so every edit crosses instances (stored in
//    PostgreSQL by one, fanned out through Redis, relayed by the other);
//  - single: one instance on a fresh database of its own, no Redis (today's
//    deployment on PostgreSQL), both people on it.
// Both run in the same invocation, one after the other. Reported: p50/p99
// propagation (edit at one client -> applied at the other's), CPU and RSS of
// every instance (/proc), sessions per instance at 80 % of a core, and, in
// the multi run, how long clients take to move after an instance is killed:
// BENCH_MOVE_SESSIONS (default 50) sessions of stock y-websocket providers
// (as the app uses them) through a real HAProxy (health checks as in
// docs/deployment/haproxy.cfg), instance a SIGKILLed, each provider that was
// on it timed until it is connected and synced on another instance.
// Last line: RESULT multi_instance_p99_ratio=<multi/single> multi_instance_p99_ms=<n>
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { connectPairs, percentile, startTyping } from './pad-client.ts';
import { writeBenchmarkSection } from './report.ts';
import { cpuSeconds, rssMb, seed, sleep, waitForLine } from './seeded-server.ts';
import { padName } from '../shared/pad/index.ts';
import { freshDatabase } from '../tests/helpers/cluster.ts';
import { startHaproxy } from '../tests/helpers/haproxy.ts';
import { startPrivateRedis, type PrivateRedis } from '../tests/helpers/private-redis.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const MOVE_SESSIONS = Number(process.env.BENCH_MOVE_SESSIONS ?? 50);
/** Each person's typing rate (BENCH_EDITS_PER_SECOND): 5 is fast, steady typing; the machine's two cores carry the clients too. */
const EDITS_PER_SECOND = Number(process.env.BENCH_EDITS_PER_SECOND ?? 5);
const WARMUP_MS = 3_000;
const INSTANCES = 3;
const HEADING = '## Several instances (`npm run bench:instances`)';
/** HAProxy's health check interval in the move phase: the sample config's. */
const LB_CHECK_MS = 2_000;

interface Instance {
	id: string;
	child: ChildProcess;
	url: string;
	port: number;
}

interface Measured {
	mode: 'multi' | 'single';
	edits: number;
	received: number;
	p50: number;
	p99: number;
	perInstance: { id: string; cpuPercent: number; rssMaxMb: number }[];
	/** Seconds for each moved client (multi only). */
	moves: number[];
	stranded: number;
}

async function startInstance(id: string, env: Record<string, string>): Promise<Instance> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `confidante-bench-instances-${id}-`));
	const { DATABASE_URL: _d, REDIS_URL: _r, ...base } = process.env;
	const child = spawn(process.execPath, [path.join(ROOT, 'server', 'main.ts')], {
		cwd: ROOT,
		env: { ...base, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', INSTANCE_ID: id, ADDRESS_HEADER: 'X-Forwarded-For', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const m = await waitForLine(child, /"port":(\d+).*listening/);
	child.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
	child.stdout!.on('data', (d: Buffer) => {
		for (const line of d.toString().split('\n')) if (/"level":(50|60)/.test(line)) process.stderr.write(`[${id}] ${line.slice(0, 400)}\n`);
	});
	return { id, child, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}` };
}

async function stopInstance(i: Instance, signal: NodeJS.Signals = 'SIGTERM') {
	if (i.child.exitCode !== null || i.child.signalCode !== null) return;
	await new Promise((r) => {
		i.child.once('exit', r);
		i.child.kill(signal);
	});
}

/** Everyone types for SECONDS; returns latencies and each instance's CPU and RSS over the measured window. */
async function measure(instances: Instance[], cookies: string[], sessionIds: string[]) {
	let quiet = false;
	let measuring = false;
	const latencies: number[] = [];
	const names = sessionIds.map((id) => padName(id, 'shared'));
	const clients = await connectPairs(names, cookies, (s, k) => instances[(s + k) % instances.length]!.url.replace(/^http/, 'ws') + '/pad', (ms) => latencies.push(ms), () => quiet);
	let edits = 0;
	const stopTyping = startTyping(clients, EDITS_PER_SECOND, () => measuring, () => edits++);
	await sleep(WARMUP_MS);
	measuring = true;
	const cpuStart = instances.map((i) => cpuSeconds(i.child.pid!));
	const rssMax = instances.map(() => 0);
	const wallStart = performance.now();
	const sampler = setInterval(() => instances.forEach((i, k) => (rssMax[k] = Math.max(rssMax[k]!, rssMb(i.child.pid!)))), 1000);
	await sleep(SECONDS * 1000);
	measuring = false;
	const wall = (performance.now() - wallStart) / 1000;
	const perInstance = instances.map((i, k) => ({ id: i.id, cpuPercent: ((cpuSeconds(i.child.pid!) - cpuStart[k]!) / wall) * 100, rssMaxMb: Math.max(rssMax[k]!, rssMb(i.child.pid!)) }));
	clearInterval(sampler);
	stopTyping();
	// Let the last edits land (a slow path shows as a long tail, not as loss).
	for (let waited = 0; latencies.length < edits && waited < 30_000; waited += 250) await sleep(250);
	quiet = true;
	await Promise.race([Promise.all(clients.map((c) => new Promise((r) => (c.ws.readyState === WebSocket.CLOSED ? r(null) : (c.ws.once('close', r), c.ws.close()))))), sleep(5000)]);
	latencies.sort((a, b) => a - b);
	return { edits, received: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), perInstance };
}

/** A stock provider through the LB (the app's options), remembering which instance each connection landed on. */
function providerVia(lbUrl: string, cookie: string, sessionId: string) {
	const seenOn: string[] = [];
	class Socket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { cookie } });
			this.on('upgrade', (res) => seenOn.push(String(res.headers['x-served-by'])));
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(lbUrl.replace(/^http/, 'ws') + '/pad', padName(sessionId, 'shared'), doc, { WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket, disableBc: true });
	return { provider, doc, seenOn };
}

/** Kills instance a under MOVE_SESSIONS sessions of providers through HAProxy; seconds each of its clients took to be synced elsewhere. */
async function moves(instances: Instance[], cookies: string[], sessionIds: string[]): Promise<{ moves: number[]; stranded: number }> {
	const lb = await startHaproxy(instances.map((i) => ({ name: i.id, port: i.port })), { checkMs: LB_CHECK_MS });
	const clients = sessionIds.slice(0, MOVE_SESSIONS).flatMap((id, s) => [providerVia(lb.url, cookies[s * 2]!, id), providerVia(lb.url, cookies[s * 2 + 1]!, id)]);
	const syncedNow = (c: (typeof clients)[number]) => c.provider.wsconnected && c.provider.synced;
	for (let waited = 0; !clients.every(syncedNow) && waited < 30_000; waited += 100) await sleep(100);
	const victim = instances[0]!;
	const onVictim = clients.filter((c) => c.seenOn.at(-1) === victim.id);
	const killedAt = performance.now();
	await stopInstance(victim, 'SIGKILL');
	const moved = new Map<(typeof clients)[number], number>();
	for (const c of onVictim) c.provider.on('sync', (s: boolean) => s && c.seenOn.at(-1) !== victim.id && !moved.has(c) && moved.set(c, (performance.now() - killedAt) / 1000));
	for (let waited = 0; moved.size < onVictim.length && waited < 30_000; waited += 100) await sleep(100);
	for (const c of clients) {
		c.provider.destroy();
		c.doc.destroy();
	}
	await lb.close();
	return { moves: [...moved.values()].sort((a, b) => a - b), stranded: onVictim.length - moved.size };
}

async function run(mode: Measured['mode']): Promise<Measured> {
	const db = await freshDatabase('bench_instances');
	let redis: PrivateRedis | null = null;
	const instances: Instance[] = [];
	try {
		const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-bench-seed-'));
		const { cookies, sessionIds } = await seed(seedDir, SESSIONS, db.url);
		fs.rmSync(seedDir, { recursive: true, force: true });
		if (mode === 'multi') redis = await startPrivateRedis();
		const count = mode === 'multi' ? INSTANCES : 1;
		for (let k = 0; k < count; k++) {
			const id = 'abc'[k]!;
			const cluster: Record<string, string> = redis ? { REDIS_URL: redis.url, MEDIA_RTC_MIN_PORT: String(41000 + k * 200), MEDIA_RTC_MAX_PORT: String(41199 + k * 200) } : {};
			instances.push(await startInstance(id, { DATABASE_URL: db.url, ...cluster }));
		}
		const m = await measure(instances, cookies, sessionIds);
		const moved = mode === 'multi' && MOVE_SESSIONS > 0 ? await moves(instances, cookies, sessionIds) : { moves: [], stranded: 0 };
		return { mode, ...m, ...moved };
	} finally {
		await Promise.all(instances.map((i) => stopInstance(i)));
		await redis?.stop();
		await db.drop();
	}
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/**
 * CPU per session from the run: the instances' CPU added up, divided by the
 * sessions (in the multi run each session's work is split between the two
 * instances its people are on). Sessions per instance at 80 % of a core
 * assume that cost stays linear in the number of sessions.
 */
const sessionsAt80 = (r: Measured) => 80 / (r.perInstance.reduce((a, i) => a + i.cpuPercent, 0) / SESSIONS);

async function main() {
	const load = os.loadavg()[0]!;
	const results: Measured[] = [];
	for (const mode of ['single', 'multi'] as const) {
		console.log(`${mode}: ${SESSIONS} sessions, ${SESSIONS * 2} clients, ${SECONDS} s ...`);
		const r = await run(mode);
		console.log(`  edits ${r.edits}, received ${r.received}, p50 ${f(r.p50, 2)} ms, p99 ${f(r.p99, 2)} ms; ${r.perInstance.map((i) => `${i.id}: CPU ${f(i.cpuPercent)}% RSS ${f(i.rssMaxMb)} MB`).join('; ')}`);
		if (mode === 'multi') console.log(`  moved after kill: ${r.moves.length} clients, p95 ${f(percentile(r.moves, 95), 2)} s, stranded ${r.stranded}`);
		results.push(r);
	}
	const [single, multi] = results as [Measured, Measured];
	const ratio = multi.p99 / single.p99;
	const moveP95 = percentile(multi.moves, 95);
	const row = (r: Measured) => r.perInstance.map((i) => `| ${r.mode} | ${i.id} | ${r.edits} | ${r.received} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(i.cpuPercent)} | ${f(i.rssMaxMb)} |`);
	const section = [
		HEADING,
		'',
		`S = ${SESSIONS} coaching sessions seeded in PostgreSQL, coach and coachee each typing ${EDITS_PER_SECOND} edits per second (one character, one Yjs update) into the shared pad for ${SECONDS} s after a ${WARMUP_MS / 1000} s warm-up.`,
		`**multi**: ${INSTANCES} instances on one database and one Redis, the coach of session s on instance s mod ${INSTANCES} and the coachee on the next (every edit is stored by one instance, fanned out through Redis and relayed by another). **single**: one instance on PostgreSQL without Redis, both people on it. Both in the same run, single first.`,
		"Latency: from the edit at one person's client to the update applied at the other's; CPU per instance process (100% = one core), RSS its maximum. Clients run in the bench process.",
		'',
		`- Command: \`npm run bench:instances\` (BENCH_SESSIONS=${SESSIONS}, BENCH_SECONDS=${SECONDS}, BENCH_EDITS_PER_SECOND=${EDITS_PER_SECOND}, BENCH_MOVE_SESSIONS=${MOVE_SESSIONS})`,
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
		`- Machine: ${os.cpus().length} CPUs shared with the clients and other work, load average ${f(load, 2)} at start`,
		'',
		'| Run | Instance | edits | delivered | p50 ms | p99 ms | CPU % | RSS MB |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		...row(single),
		...row(multi),
		'',
		`- p99 ratio multi / single: **${f(ratio, 2)}** (goal: at most 1.5; ${ratio <= 1.5 ? 'met' : 'not met'}).`,
		`- Sessions per instance at 80 % of a core: single ${f(sessionsAt80(single), 0)}, multi ${f(sessionsAt80(multi), 0)} (the instances' CPU added up and divided by S gives CPU per session; 80 % divided by it, assuming the cost stays linear in sessions; in the multi run each session's work is shared by two instances, so this is sessions per instance's worth of CPU).`,
		`- Moving after an instance is killed: ${MOVE_SESSIONS} sessions of stock y-websocket providers (the app's options) through HAProxy with health checks every ${LB_CHECK_MS / 1000} s; instance a SIGKILLed; ${multi.moves.length} clients were on it and moved, ${multi.stranded} did not within 30 s. p50 ${f(percentile(multi.moves, 50), 2)} s, **p95 ${f(moveP95, 2)} s**, max ${f(multi.moves.at(-1) ?? NaN, 2)} s (goal: p95 under 5 s; ${moveP95 < 5 && multi.stranded === 0 ? 'met' : 'not met'}).`,
		''
	].join('\n');
	await writeBenchmarkSection(HEADING, section);
	console.log(`\n${section}`);
	console.log(`RESULT multi_instance_p99_ratio=${f(ratio, 3)} multi_instance_p99_ms=${f(multi.p99, 2)}`);
	process.exit(0);
}

await main();
