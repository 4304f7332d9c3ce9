/** A socket.io client signed in with a Visitor's cookie, as the browser would be. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/index.ts';
import type { Result } from '../../shared/result.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(base: string, cookie: string, extraHeaders: Record<string, string> = {}): ClientSocket {
	return io(base, { transports: ['websocket'], extraHeaders: { cookie, ...extraHeaders }, reconnection: false, forceNew: true });
}

export function connected(socket: ClientSocket): Promise<void> {
	return new Promise((resolve, reject) => {
		if (socket.connected) return resolve();
		socket.once('connect', () => resolve());
		socket.once('connect_error', (err) => reject(err));
	});
}

/** Emits a request and resolves with its ack. */
export function request<T = unknown>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Result<T>> {
	// The typed emit accepts only known events; tests also send unknown and malformed ones.
	const untyped = socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<Result<T>> };
	return untyped.emitWithAck(event, payload);
}
