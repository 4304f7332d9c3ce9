/**
 * A TCP proxy a test can pause or cut, put between one server instance and
 * Redis: what a network partition looks like to that instance, without
 * touching the Redis the other instances use.
 * - `pause()`: bytes stop flowing both ways (held, not dropped) and new
 *   connections wait, as on a link that went silent; `resume()` lets them through.
 * - `cut()`: every connection is reset and new ones are refused until `resume()`,
 *   as when the host is unreachable.
 */
import net from 'node:net';

export type ProxyState = 'open' | 'paused' | 'cut';

export interface TcpProxy {
	readonly port: number;
	readonly state: ProxyState;
	pause(): void;
	cut(): void;
	resume(): void;
	close(): Promise<void>;
}

interface Pair {
	client: net.Socket;
	upstream: net.Socket | null;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	let state: ProxyState = 'open';
	const pairs = new Set<Pair>();
	/** Connections that arrived while paused: joined to the target on resume. */
	const waiting = new Set<Pair>();

	const drop = (p: Pair) => {
		pairs.delete(p);
		waiting.delete(p);
		p.client.destroy();
		p.upstream?.destroy();
	};
	const join = (p: Pair) => {
		const upstream = net.connect(target.port, target.host);
		p.upstream = upstream;
		upstream.on('error', () => drop(p));
		upstream.on('close', () => drop(p));
		p.client.pipe(upstream);
		upstream.pipe(p.client);
	};
	const server = net.createServer((client) => {
		const p: Pair = { client, upstream: null };
		client.on('error', () => drop(p));
		client.on('close', () => drop(p));
		if (state === 'cut') return void client.resetAndDestroy();
		pairs.add(p);
		if (state === 'paused') {
			client.pause();
			waiting.add(p);
		} else join(p);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;

	return {
		port,
		get state() {
			return state;
		},
		pause() {
			state = 'paused';
			// Unpiping stops forwarding; the kernel buffers fill and the peers see silence.
			for (const p of pairs) {
				p.client.unpipe();
				p.upstream?.unpipe();
				p.client.pause();
				p.upstream?.pause();
			}
		},
		cut() {
			state = 'cut';
			for (const p of [...pairs]) {
				p.client.resetAndDestroy();
				drop(p);
			}
		},
		resume() {
			const was = state;
			state = 'open';
			if (was !== 'paused') return;
			for (const p of pairs) {
				if (waiting.has(p)) {
					waiting.delete(p);
					join(p);
					p.client.resume();
				} else if (p.upstream) {
					p.client.pipe(p.upstream);
					p.upstream.pipe(p.client);
				}
			}
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const p of [...pairs]) drop(p);
				server.close(() => resolve());
			})
	};
}
