/**
 * Two (or more) real server processes on one PostgreSQL schema and one Redis
 * database, for the media tests of issue 16 until tests/helpers/cluster.ts
 * (with its load balancer) is there. They share DATA_DIR so the mailbox
 * helper finds every account email whichever instance sent it. Each has its
 * own RTC port range, as in a deployment. `forwarder()` is a tiny TCP proxy
 * whose target can be switched: a page keeps its origin while its server dies
 * and another takes its connections, as behind a load balancer.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startServer, type TestServer } from './server.ts';

/** Redis database index of the media tests (one per issue-16 feature on the shared Redis). */
export const MEDIA_REDIS_URL = process.env.TEST_MEDIA_REDIS_URL ?? 'redis://127.0.0.1:6379/4';

export interface Instance extends TestServer {
	id: string;
}

export async function startInstances(count: number, env: Record<string, string> = {}): Promise<Instance[]> {
	const run = randomBytes(3).toString('hex');
	const out: Instance[] = [];
	try {
		for (let i = 0; i < count; i++) await startOne(i);
	} catch (err) {
		// One did not start (a loaded machine): the others must not outlive the test file.
		await stopInstances(out);
		throw err;
	}
	return out;

	async function startOne(i: number): Promise<void> {
		const id = `media-${run}-${String.fromCharCode(97 + i)}`;
		const first = out[0];
		const own = { REDIS_URL: MEDIA_REDIS_URL, INSTANCE_ID: id, MEDIA_RTC_MIN_PORT: String(41000 + i * 200), MEDIA_RTC_MAX_PORT: String(41199 + i * 200), ...env };
		// The first creates the schema (and migrates it); the others join it.
		const server = first
			? await startServer({ env: { ...own, DATABASE_URL: first.env.DATABASE_URL!, DATA_DIR: first.dataDir } })
			: await startServer({ db: 'postgres', env: own });
		out.push(Object.assign(server, { id }));
	}
}

/** Stops every instance; the first drops the schema and the shared data directory. */
export async function stopInstances(instances: Instance[]): Promise<void> {
	for (const s of instances.slice(1).reverse()) await s.stop('SIGKILL');
	await instances[0]?.cleanup();
}

export interface Forwarder {
	port: number;
	url: string;
	/** Sends new connections to another port and cuts the open ones (their server is gone). */
	retarget(port: number): void;
	close(): Promise<void>;
}

export async function forwarder(target: number): Promise<Forwarder> {
	let to = target;
	const open = new Set<net.Socket>();
	const server = net.createServer((client) => {
		const upstream = net.connect(to, '127.0.0.1');
		open.add(client);
		client.on('close', () => open.delete(client));
		client.pipe(upstream).pipe(client);
		const end = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', end);
		upstream.on('error', end);
		upstream.on('close', end);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;
	return {
		port,
		url: `http://localhost:${port}`,
		retarget(next) {
			to = next;
			for (const c of open) c.destroy();
		},
		close: () =>
			new Promise((resolve) => {
				for (const c of open) c.destroy();
				server.close(() => resolve());
			})
	};
}
