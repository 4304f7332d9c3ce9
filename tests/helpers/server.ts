/**
 * Starts the real server (`node server/main.ts`) as a child process on a
 * random port, against a fresh SQLite directory or a fresh PostgreSQL schema,
 * so tests can also SIGKILL and restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type DbKind = 'sqlite' | 'postgres';
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestServer {
	url: string;
	port: number;
	dataDir: string;
	env: Record<string, string>;
	process: ChildProcess;
	logs: string[];
	/** Stops with a signal and waits for exit. */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
	/** Starts again on the same port with the same data (after stop). */
	restart(): Promise<void>;
	/** Drops the PostgreSQL schema / data directory. */
	cleanup(): Promise<void>;
}

export async function freshPostgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
	const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
	const client = new pg.Client({ connectionString: PG_URL });
	await client.connect();
	await client.query(`CREATE SCHEMA ${schema}`);
	await client.end();
	const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
	return {
		url,
		drop: async () => {
			const c = new pg.Client({ connectionString: PG_URL });
			await c.connect();
			await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			await c.end();
		}
	};
}

/** Starts `node server/main.ts` with `env` and resolves with its port once it listens (`timeoutMs`: a loaded machine needs longer). */
export function launch(env: Record<string, string>, logs: string[], timeoutMs = 30_000): Promise<{ child: ChildProcess; port: number }> {
	const child = spawn(process.execPath, [path.join(ROOT, 'server', 'main.ts')], {
		cwd: ROOT,
		env: { ...process.env, LOG_LEVEL: 'info', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	return new Promise((resolve, reject) => {
		let buffer = '';
		// A server that missed its start must not live on, loading the machine for the tests after it.
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
		}, timeoutMs);
		const onLine = (line: string) => {
			logs.push(line);
			if (logs.length > 2000) logs.shift();
			const m = /"port":(\d+).*listening/.exec(line);
			if (m) {
				clearTimeout(timer);
				resolve({ child, port: Number(m[1]) });
			}
		};
		child.stdout!.on('data', (d: Buffer) => {
			buffer += d.toString();
			let i;
			while ((i = buffer.indexOf('\n')) >= 0) {
				onLine(buffer.slice(0, i));
				buffer = buffer.slice(i + 1);
			}
		});
		child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
		});
	});
}

/** Every test server of this process by its URL, for the mailbox helper (tests/helpers/mailbox.ts). */
export const testServers = new Map<string, TestServer>();

export async function startServer(opts: { db?: DbKind; env?: Record<string, string> } = {}): Promise<TestServer> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-test-'));
	// Every test person signs up from 127.0.0.1, so the per-address sign-up limit is lifted unless a test sets it.
	const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SIGNUPS_PER_ADDRESS_PER_HOUR: '100000', ...opts.env };
	let dropSchema: (() => Promise<void>) | undefined;
	if (opts.db === 'postgres') {
		const s = await freshPostgresSchema();
		env.DATABASE_URL = s.url;
		dropSchema = s.drop;
	}
	const logs: string[] = [];
	const launched = await launch(env, logs);
	let child = launched.child;
	const port = launched.port;
	env.PORT = String(port);
	const server: TestServer = {
		url: `http://localhost:${port}`,
		port,
		dataDir,
		env,
		logs,
		process: child,
		async stop(signal = 'SIGTERM') {
			const c = server.process;
			if (c.exitCode !== null || c.signalCode !== null) return c.exitCode;
			return new Promise((resolve) => {
				c.once('exit', (code) => resolve(code));
				c.kill(signal);
			});
		},
		async restart() {
			const r = await launch(env, logs);
			server.process = r.child;
		},
		async cleanup() {
			testServers.delete(server.url);
			await server.stop('SIGKILL');
			await dropSchema?.();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
	child = server.process;
	testServers.set(server.url, server);
	return server;
}
