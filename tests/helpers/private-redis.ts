/**
 * A Redis server of the test's own (redis-server from Debian, on a free
 * port, keeping nothing on disk), so a test can kill and restart it without
 * disturbing anyone else using the machine's Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface PrivateRedis {
	readonly port: number;
	readonly url: string;
	/** Kills it (SIGKILL: everything it held is gone, as in a crash) and starts an empty one on the same port. */
	restart(): Promise<void>;
	stop(): Promise<void>;
	start(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

/** A port nobody listens on right now (the kernel's choice, released at once). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

function ping(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const c = net.connect(port, '127.0.0.1');
		c.once('connect', () => c.write('PING\r\n'));
		c.once('data', (d) => (c.destroy(), resolve(d.toString().startsWith('+PONG'))));
		c.once('error', () => resolve(false));
	});
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
	const port = await freePort();
	let child: ChildProcess | null = null;
	const start = async () => {
		const c = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
		child = c;
		const until = Date.now() + 10_000;
		while (!(await ping(port))) {
			if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}: ${err}`);
			if (Date.now() > until) throw new Error(`redis-server did not answer on port ${port}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	const stop = async () => {
		const c = child;
		child = null;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		await new Promise<void>((resolve) => {
			c.once('exit', () => resolve());
			c.kill('SIGKILL');
		});
	};
	await start();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		start,
		stop,
		async restart() {
			await stop();
			await start();
		}
	};
}
