/**
 * Several real server instances (`node server/main.ts`, as tests/helpers/
 * server.ts starts one) sharing one fresh PostgreSQL database and one Redis,
 * optionally behind a real HAProxy: what issue 16's deployment looks like,
 * on one machine.
 *
 * - PostgreSQL: a database created for the cluster and dropped by `close()`.
 * - Redis: a private redis-server on a free port (so a test may kill and
 *   restart it), reached by each instance through its own pausable TCP proxy
 *   (so a test may cut one instance off Redis while the others keep it).
 * - Mail: one test SMTP server for all instances (any instance may send a
 *   message); the mailbox helper reads it for every instance's URL and the LB's.
 * - Each instance: INSTANCE_ID a, b, c..., its own DATA_DIR and RTC port range,
 *   ADDRESS_HEADER=X-Forwarded-For (HAProxy appends the client's address).
 *
 *   const c = await startCluster({ instances: 3, lb: true });
 *   c.lbUrl; c.instances[1].url; await c.instances[0].kill(); await c.instances[0].restart();
 *   c.redis.cut(2); c.redis.resume(2); await c.redis.restart();
 *   await c.close();
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { launch, PG_URL, testServers, type TestServer } from './server.ts';
import { startSmtp, type TestSmtp } from './smtp.ts';
import { startHaproxy, type Haproxy } from './haproxy.ts';
import { startPrivateRedis } from './private-redis.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export interface ClusterInstance {
	/** INSTANCE_ID: 'a', 'b', 'c'... */
	readonly id: string;
	/** http://localhost:<port>, straight to this instance. */
	readonly url: string;
	readonly port: number;
	readonly logs: string[];
	readonly env: Record<string, string>;
	readonly process: ChildProcess;
	alive(): boolean;
	/** Sends `signal` (SIGKILL by default: a crash, nothing flushed) and waits for the exit. */
	kill(signal?: NodeJS.Signals): Promise<void>;
	/** Starts it again on the same port with the same environment. */
	restart(): Promise<void>;
}

export interface ClusterRedis {
	/** The private Redis straight (not through any instance's proxy), for a test's own reads. */
	readonly url: string;
	/** SIGKILLs Redis and starts an empty one on the same port: everything it held is gone. */
	restart(): Promise<void>;
	/** Silence between instance `i` (every instance when omitted) and Redis: bytes held, new connections wait. */
	pause(i?: number): void;
	/** Instance `i` (every instance when omitted) cut off Redis: connections reset, new ones refused. */
	cut(i?: number): void;
	/** Undoes pause() or cut(). */
	resume(i?: number): void;
}

export interface TestCluster {
	/** The load balancer's URL (null when started with lb: false). */
	readonly lbUrl: string | null;
	readonly instances: ClusterInstance[];
	readonly redis: ClusterRedis;
	/** The cluster's PostgreSQL database, for a test's own queries. */
	readonly pg: pg.Pool;
	readonly databaseUrl: string;
	readonly smtp: TestSmtp;
	readonly haproxy: Haproxy | null;
	/** Stops everything and drops the database. */
	close(): Promise<void>;
}

export interface ClusterOptions {
	instances?: number;
	lb?: boolean;
	/** Added to every instance's environment. */
	env?: Record<string, string>;
	/** Added to one instance's environment (by index), e.g. a failpoint armed on one only. */
	instanceEnv?: Record<string, string>[];
	/** HAProxy's health check interval (ms). */
	checkMs?: number;
}

const IDS = 'abcdefgh';
/** Three servers starting at once on a shared 2-core machine can take a while. */
const START_MS = 120_000;
/** Ports each instance may give to WebRTC (mediasoup needs its own range per instance on one host). */
const RTC_PORTS_PER_INSTANCE = 100;

/** A new, empty PostgreSQL database on the test server (named `<prefix>_<pid>_<random>`), and how to drop it. */
export async function freshDatabase(prefix = 'cluster'): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
	const admin = new pg.Client({ connectionString: PG_URL });
	await admin.connect();
	await admin.query(`CREATE DATABASE ${name}`);
	await admin.end();
	const url = new URL(PG_URL);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		drop: async () => {
			const c = new pg.Client({ connectionString: PG_URL });
			await c.connect();
			await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await c.end();
		}
	};
}

function instanceOf(id: string, env: Record<string, string>, first: { child: ChildProcess; port: number }, logs: string[]): { instance: ClusterInstance; server: TestServer } {
	let child = first.child;
	const port = first.port;
	env.PORT = String(port);
	const alive = () => child.exitCode === null && child.signalCode === null;
	const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
		if (!alive()) return;
		await new Promise<void>((resolve) => {
			child.once('exit', () => resolve());
			child.kill(signal);
		});
	};
	const restart = async () => {
		await kill('SIGKILL');
		child = (await launch(env, logs, START_MS)).child;
	};
	const url = `http://localhost:${port}`;
	const instance: ClusterInstance = {
		id,
		url,
		port,
		logs,
		env,
		get process() {
			return child;
		},
		alive,
		kill,
		restart
	};
	// What the mailbox helper and other single-server helpers need to know of it.
	const server: TestServer = {
		url,
		port,
		dataDir: env.DATA_DIR!,
		env,
		logs,
		get process() {
			return child;
		},
		stop: async (signal = 'SIGTERM') => (await kill(signal), child.exitCode),
		restart,
		cleanup: () => kill('SIGKILL')
	};
	return { instance, server };
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
	const count = opts.instances ?? 3;
	if (count < 1 || count > IDS.length) throw new Error(`instances: 1 to ${IDS.length}`);
	const db = await freshDatabase();
	const redis = await startPrivateRedis();
	const proxies: TcpProxy[] = [];
	for (let i = 0; i < count; i++) proxies.push(await startTcpProxy({ host: '127.0.0.1', port: redis.port }));
	const smtp = await startSmtp();
	const rtcBase = 20_000 + Math.floor(Math.random() * 50) * RTC_PORTS_PER_INSTANCE * IDS.length;
	const dataDirs: string[] = [];
	const envFor = (i: number): Record<string, string> => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `confidante-cluster-${IDS[i]}-`));
		dataDirs.push(dataDir);
		return {
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			DATABASE_URL: db.url,
			REDIS_URL: `redis://127.0.0.1:${proxies[i]!.port}`,
			INSTANCE_ID: IDS[i]!,
			ADDRESS_HEADER: 'X-Forwarded-For',
			SMTP_URL: smtp.url,
			SIGNUPS_PER_ADDRESS_PER_HOUR: '100000',
			MEDIA_RTC_MIN_PORT: String(rtcBase + i * RTC_PORTS_PER_INSTANCE),
			MEDIA_RTC_MAX_PORT: String(rtcBase + (i + 1) * RTC_PORTS_PER_INSTANCE - 1),
			...opts.env,
			...opts.instanceEnv?.[i]
		};
	};
	const made: { instance: ClusterInstance; server: TestServer }[] = [];
	let haproxy: Haproxy | null = null;
	const pool = new pg.Pool({ connectionString: db.url, max: 3 });
	const close = async () => {
		await haproxy?.close();
		await Promise.all(made.map((m) => m.instance.kill('SIGKILL')));
		for (const m of made) testServers.delete(m.server.url);
		if (haproxy) testServers.delete(haproxy.url);
		await Promise.all(proxies.map((p) => p.close()));
		await redis.stop();
		await smtp.close();
		await pool.end();
		await db.drop();
		for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
	};
	try {
		// The first instance migrates the fresh database alone; the others then start together.
		const start = async (i: number) => {
			const env = envFor(i);
			const logs: string[] = [];
			const m = instanceOf(IDS[i]!, env, await launch(env, logs, START_MS), logs);
			made[i] = m;
			testServers.set(m.server.url, m.server);
		};
		await start(0);
		await Promise.all(Array.from({ length: count - 1 }, (_, k) => start(k + 1)));
		if (opts.lb ?? true) {
			haproxy = await startHaproxy(made.map((m) => ({ name: m.instance.id, port: m.instance.port })), { checkMs: opts.checkMs });
			testServers.set(haproxy.url, made[0]!.server);
		}
	} catch (err) {
		await close().catch(() => {});
		throw err;
	}
	const each = (i: number | undefined, f: (p: TcpProxy) => void) => (i === undefined ? proxies : [proxies[i]!]).forEach(f);
	return {
		lbUrl: haproxy?.url ?? null,
		instances: made.map((m) => m.instance),
		redis: {
			url: redis.url,
			restart: () => redis.restart(),
			pause: (i) => each(i, (p) => p.pause()),
			cut: (i) => each(i, (p) => p.cut()),
			resume: (i) => each(i, (p) => p.resume())
		},
		pg: pool,
		databaseUrl: db.url,
		smtp,
		haproxy,
		close
	};
}
