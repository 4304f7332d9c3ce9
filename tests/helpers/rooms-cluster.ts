/**
 * Two (or more) real server processes on one PostgreSQL schema and one Redis
 * database, for the rooms tests until tests/helpers/cluster.ts (with the load
 * balancer) is there. Started one after the other, so only the first runs
 * the migrations. A TCP proxy in front of Redis can be stopped to cut one
 * instance off.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freshPostgresSchema, startServer, type TestServer } from './server.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/2';

export async function startInstances(ids: string[], env: Record<string, string> = {}, redisUrlFor: (id: string) => string = () => TEST_REDIS_URL) {
	const schema = await freshPostgresSchema();
	const run = Math.random().toString(36).slice(2, 8);
	// One outbox for all: whichever instance's mail queue sends a message, the test's mailbox finds it.
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-rooms-'));
	const servers: TestServer[] = [];
	for (const id of ids) {
		const server = await startServer({ env: { DATABASE_URL: schema.url, REDIS_URL: redisUrlFor(id), INSTANCE_ID: `${id}-${run}`, DATA_DIR: dataDir, ADDRESS_HEADER: 'X-Forwarded-For', ...env } });
		server.dataDir = dataDir; // Where the mailbox helper reads the outbox.
		servers.push(server);
	}
	return {
		servers,
		async close() {
			await Promise.allSettled(servers.map((s) => s.cleanup()));
			await schema.drop();
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** Forwards to Redis until `stop()` (which also cuts the connections it carries); `start()` again on the same port. */
export async function redisProxy(target = new URL(TEST_REDIS_URL)) {
	const open = new Set<net.Socket>();
	let server: net.Server | null = null;
	let port = 0;
	const start = () =>
		new Promise<void>((resolve) => {
			server = net.createServer((client) => {
				const upstream = net.connect(Number(target.port || 6379), target.hostname);
				for (const s of [client, upstream]) {
					open.add(s);
					s.on('close', () => open.delete(s));
					s.on('error', () => s.destroy());
				}
				client.pipe(upstream).pipe(client);
			});
			server.listen(port, '127.0.0.1', () => {
				port = (server!.address() as net.AddressInfo).port;
				resolve();
			});
		});
	await start();
	return {
		url: () => `redis://127.0.0.1:${port}${target.pathname}`,
		start,
		async stop() {
			for (const s of open) s.destroy();
			await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
			server = null;
		}
	};
}
