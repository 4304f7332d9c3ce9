/** A socket.io client signed in with a Visitor's cookie, as the browser would be. */
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, isRequestName, readAnswer, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/protocol/index.ts';
import type { Result } from '../../shared/result.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `auth` is what the handshake presents; by default the protocol version of this build, as the app sends. */
export function connect(base: string, cookie: string, extraHeaders: Record<string, string> = {}, auth: Record<string, unknown> = { protocolVersion: PROTOCOL_VERSION }): ClientSocket {
	return io(base, { transports: ['websocket'], extraHeaders: { cookie, ...extraHeaders }, reconnection: false, forceNew: true, auth });
}

export function connected(socket: ClientSocket): Promise<void> {
	return new Promise((resolve, reject) => {
		if (socket.connected) return resolve();
		socket.once('connect', () => resolve());
		socket.once('connect_error', (err) => reject(err));
	});
}

/**
 * Emits a request and resolves with its ack, as it came over the wire. Tests
 * send malformed payloads and unknown names on purpose, so neither is typed;
 * but every ack to a known request must be one the protocol defines (a coded
 * failure, or a value its reply schema accepts): this checks the server
 * against the shared map in every test that talks to it.
 */
export async function request<T = unknown>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Result<T>> {
	const wire: Socket = socket;
	const answer: Result<T> = await wire.timeout(timeoutMs).emitWithAck(event, payload);
	if (isRequestName(event) && !readAnswer(event, answer)) throw new Error(`${event}: ack outside the protocol: ${JSON.stringify(answer).slice(0, 500)}`);
	return answer;
}
