/**
 * A real HAProxy (Debian's package, installed by `npm install`: see
 * scripts/ensure-debian.mjs) in front of the test instances, started with a
 * config generated here: the same settings as docs/deployment/haproxy.cfg,
 * but health checks every 250 ms so a test sees an instance taken out of
 * rotation within a second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './private-redis.ts';

export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

export interface Backend {
	name: string;
	port: number;
}

export interface HaproxyOptions {
	port: number;
	backends: Backend[];
	/** Health check interval (ms); an instance is out after 3 failures, back after 1 success. */
	checkMs?: number;
	/** Where HAProxy's runtime API socket goes (to take a backend out by hand). */
	statsSocket?: string;
}

/** The test config; docs/deployment/haproxy.cfg explains each setting for operators. */
export function haproxyConfig(o: HaproxyOptions): string {
	const check = o.checkMs ?? 250;
	return [
		'global',
		// Each connection takes two descriptors; stay well under a default limit of 20,000.
		'  maxconn 4000',
		...(o.statsSocket ? [`  stats socket ${o.statsSocket} mode 600 level admin`] : []),
		'defaults',
		'  mode http',
		'  option http-server-close',
		'  option forwardfor',
		'  option redispatch',
		'  retries 2',
		'  timeout connect 2s',
		'  timeout client 30s',
		'  timeout server 30s',
		'  timeout tunnel 1h',
		'  timeout client-fin 5s',
		'  timeout http-request 10s',
		'frontend confidante',
		`  bind 127.0.0.1:${o.port}`,
		'  default_backend instances',
		'backend instances',
		'  balance leastconn',
		// Tests read which instance served a request or a websocket upgrade.
		'  http-response set-header X-Served-By %s',
		'  option httpchk GET /readyz',
		'  http-check expect status 200',
		// Out after 3 failed checks, each allowed 5 s: on a loaded test machine a slow /readyz is not a dead instance.
		// (No on-marked-down shutdown-sessions here: it would cut requests in flight to an instance that was only slow.)
		'  timeout check 5s',
		`  default-server inter ${check}ms fastinter ${check}ms downinter ${check}ms fall 3 rise 1`,
		...o.backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`),
		''
	].join('\n');
}

export interface Haproxy {
	readonly url: string;
	readonly port: number;
	readonly logs: string[];
	close(): Promise<void>;
}

export async function startHaproxy(backends: Backend[], opts: { checkMs?: number } = {}): Promise<Haproxy> {
	if (!fs.existsSync(HAPROXY)) throw new Error(`${HAPROXY} not found: run \`npm install\` as root (it installs Debian's haproxy) or \`apt-get install haproxy\`, or set HAPROXY_PATH.`);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-haproxy-'));
	const port = await freePort();
	const file = path.join(dir, 'haproxy.cfg');
	fs.writeFileSync(file, haproxyConfig({ port, backends, checkMs: opts.checkMs }));
	const logs: string[] = [];
	// -db: stay in the foreground, so the test owns the process and its exit.
	const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
	child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
	const url = `http://localhost:${port}`;
	const until = Date.now() + 10_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${logs.join('')}`);
		const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
		if (up) break;
		if (Date.now() > until) throw new Error(`haproxy did not answer on ${port}:\n${logs.join('')}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		url,
		port,
		logs,
		close: async () => {
			if (child.exitCode === null && child.signalCode === null) {
				await new Promise<void>((resolve) => {
					child.once('exit', () => resolve());
					child.kill('SIGTERM');
				});
			}
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
