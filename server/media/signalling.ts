/**
 * The media events of one socket. Every request is schema-checked (by
 * `handle`), limited by the media budget, and allowed only for a member who
 * joined the session on this socket; then it is dispatched (ops.ts) to where
 * the session's room lives: this process, or the instance holding the
 * session's media lease (clustered.ts). A person's requests in a session run
 * one at a time, in the order they came (see KeyedQueue): parallel requests
 * cannot leave extra transports or producers behind.
 */
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms, RoomSocket } from '../rooms/index.ts';
import { handle } from '../rooms/index.ts';
import { fail } from '../../shared/result.ts';
import { MEDIA_OPS, type Caller, type Dispatch, type MediaOpName } from './ops.ts';

export interface SignallingDeps {
	rooms: Rooms;
	log: Logger;
	/** This process's name among instances (for the caller of each op). */
	instanceId: string;
	dispatch: Dispatch;
	/** One queue per person and session, shared by all their sockets. */
	queue: KeyedQueue;
}

/** Runs tasks with the same key one after another; different keys do not wait for each other. */
export class KeyedQueue {
	private readonly tails = new Map<string, Promise<void>>();

	run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
		const result = (this.tails.get(key) ?? Promise.resolve()).then(fn);
		const tail = result.then(
			() => {},
			() => {}
		);
		this.tails.set(key, tail);
		void tail.then(() => {
			if (this.tails.get(key) === tail) this.tails.delete(key);
		});
		return result;
	}

	/** Keys with work queued or running (for tests and the log). */
	get size(): number {
		return this.tails.size;
	}
}

const notJoined = fail('forbidden', 'Join the session before using its video.');
/** Not in the person's media queue: a relay changes nothing at the server, and candidates must not wait behind a transport set-up. */
const unqueued = new Set<MediaOpName>(['media:direct', 'e2ee:senderKey']);

export function registerMediaSignalling(socket: RoomSocket, deps: SignallingDeps): void {
	const { rooms, log } = deps;
	const caller: Caller = { userId: socket.data.user.id, socketId: socket.id, instanceId: deps.instanceId };
	limitMediaRequests(socket);
	for (const name of MEDIA_OPS) serve(name);

	function serve<K extends MediaOpName>(name: K): void {
		handle(socket, log, name, (payload) => {
			const { sessionId } = payload as { sessionId: string };
			const run = () => (rooms.roleIn(socket, sessionId) ? deps.dispatch(name, caller, payload) : notJoined);
			return unqueued.has(name) ? run() : deps.queue.run(`${sessionId}:${caller.userId}`, run);
		});
	}
}

/** The media budget (see limits.media): generous for join bursts, still bounded. */
function limitMediaRequests(socket: RoomSocket): void {
	let windowStart = Date.now();
	let count = 0;
	socket.use((packet, next) => {
		// The key exchange of encrypted calls shares the budget: it comes in the same bursts (joins, leaves).
		if (typeof packet[0] !== 'string' || !/^(media|e2ee):/.test(packet[0])) return next();
		const now = Date.now();
		if (now - windowStart > limits.media.requestWindowMs) {
			windowStart = now;
			count = 0;
		}
		if (++count <= limits.media.requestsPerWindow) return next();
		const ack = packet[packet.length - 1];
		if (typeof ack === 'function') ack(fail('rate_limited', 'Too many video requests; slow down for a few seconds.'));
	});
}
