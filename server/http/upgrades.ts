/**
 * WebSocket upgrades to a path nobody serves are answered 404 and closed at
 * once: Node leaves an upgrade nobody handles open forever, which would let
 * anyone hold file descriptors without signing in. The pad endpoint and
 * socket.io handle their own paths (and close what they refuse).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/index.ts';

export function refuseUnservedUpgrades(httpServer: HttpServer, served: (path: string) => boolean, log: Logger): void {
	httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
		const path = (req.url ?? '').split('?')[0]!;
		if (served(path)) return;
		log.debug({ path: path.slice(0, 200) }, 'upgrade to a path nobody serves refused');
		socket.on('error', () => {});
		socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
		// A peer that does not read its answer is not waited for.
		setTimeout(() => socket.destroy(), 1_000).unref();
	});
}
