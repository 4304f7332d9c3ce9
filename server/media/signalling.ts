/**
 * The media events of one socket. Every request is schema-checked (by
 * `handle`), limited by the media budget, and allowed only for a member who
 * joined the session on this socket; requests about transports, producers
 * and consumers must come from the socket that owns them. Anything out of
 * order is answered with a code and changes nothing. A person's requests in
 * a session run one at a time, in the order they came (see KeyedQueue):
 * parallel requests cannot leave extra transports or producers behind.
 */
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms, RoomSocket } from '../rooms/index.ts';
import { handle as handleRequest } from '../rooms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { MediaCapabilities } from '../../shared/protocol/index.ts';
import type { types } from 'mediasoup';
import type { MediaRoom } from './room.ts';
import type { MediaPeer } from './peer.ts';
import { announcePublicKey, registerE2eeRelay } from './e2ee.ts';

export interface SignallingDeps {
	rooms: Rooms;
	log: Logger;
	/** The session's media room, created (with a router) when missing; null if no worker can run. */
	roomFor(sessionId: string): Promise<MediaRoom | null>;
	existingRoom(sessionId: string): MediaRoom | null;
	capabilities(room: MediaRoom): Omit<MediaCapabilities, 'e2eeRequired'>;
	/** The coach requires end-to-end encryption for this session's engagement. */
	e2eeRequired(sessionId: string): Promise<boolean>;
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
const noPeer = fail('conflict', 'Join the room’s video first.');
const unavailable = fail('unavailable', 'Live video is not available on this server right now; try again in a moment.');
const encryptionRequired = fail(
	'forbidden',
	'Your coach requires end-to-end encrypted calls for this engagement, and this browser cannot encrypt them. Join from a recent Chrome, Edge, Firefox or Safari.'
);

export function registerMediaSignalling(socket: RoomSocket, deps: SignallingDeps): void {
	const { rooms, log } = deps;
	const userId = socket.data.user.id;
	limitMediaRequests(socket);
	// Every media request below is a person's turn in their queue for that session.
	const handle: typeof handleRequest = (s, l, name, fn) =>
		handleRequest(s, l, name, (payload) => deps.queue.run(`${(payload as { sessionId: string }).sessionId}:${userId}`, () => fn(payload)));

	/** Runs `fn` with the socket's peer in the session, or answers why it cannot. */
	const withPeer = async <T>(sessionId: string, fn: (room: MediaRoom, peer: MediaPeer) => Promise<Result<T>> | Result<T>): Promise<Result<T>> => {
		if (!rooms.roleIn(socket, sessionId)) return notJoined;
		const room = deps.existingRoom(sessionId);
		const peer = room?.peerOf(userId, socket.id);
		if (!room || !peer) return noPeer;
		return fn(room, peer);
	};

	handle(socket, log, 'media:capabilities', async ({ sessionId }) => {
		if (!rooms.roleIn(socket, sessionId)) return notJoined;
		const [room, required] = await Promise.all([deps.roomFor(sessionId), deps.e2eeRequired(sessionId)]);
		return room ? ok({ ...deps.capabilities(room), e2eeRequired: required }) : unavailable;
	});

	handle(socket, log, 'media:join', async ({ sessionId, peerId, rtpCapabilities, entering, e2ee, publicKey }) => {
		if (!rooms.roleIn(socket, sessionId)) return notJoined;
		const [room, required] = await Promise.all([deps.roomFor(sessionId), deps.e2eeRequired(sessionId)]);
		if (!room) return unavailable;
		room.e2eeRequired = required;
		if (required && !e2ee) {
			// No peer, so every later media request of this tab is refused too.
			log.info({ session: sessionId, user: userId }, 'media join refused: end-to-end encryption required');
			return encryptionRequired;
		}
		const joined = room.join(userId, peerId, socket.id, rtpCapabilities, entering, e2ee);
		log.info({ session: sessionId, user: userId, entering, e2ee, encrypted: joined.privacy.encrypted, kept: Boolean(joined.kept), others: joined.producers.length }, 'media joined');
		// Entering with its public key: announced now, the others' keys in the reply (one round trip less before the first encrypted frame opens).
		const peer = entering ? room.peerOf(userId, socket.id) : null;
		const announced = peer && publicKey ? announcePublicKey(room, peer, publicKey, log) : null;
		return ok(announced?.ok ? { ...joined, peerKeys: announced.value.peers } : joined);
	});

	handle(socket, log, 'media:createTransports', ({ sessionId }) =>
		withPeer(sessionId, async (room, peer) => ok(await room.createTransports(peer)))
	);

	handle(socket, log, 'media:connectTransport', ({ sessionId, transportId, dtlsParameters }) =>
		withPeer(sessionId, (room, peer) => room.connectTransport(peer, transportId, dtlsParameters as types.DtlsParameters))
	);

	handle(socket, log, 'media:restartIce', ({ sessionId, transportId }) =>
		withPeer(sessionId, (room, peer) => room.restartIce(peer, transportId))
	);

	handle(socket, log, 'media:produce', ({ sessionId, ...req }) => withPeer(sessionId, (room, peer) => room.produce(peer, req)));

	handle(socket, log, 'media:pauseProducer', ({ sessionId, producerId }) =>
		withPeer(sessionId, (room, peer) => room.setProducerPaused(peer, producerId, true))
	);
	handle(socket, log, 'media:resumeProducer', ({ sessionId, producerId }) =>
		withPeer(sessionId, (room, peer) => room.setProducerPaused(peer, producerId, false))
	);
	handle(socket, log, 'media:closeProducer', ({ sessionId, producerId }) =>
		withPeer(sessionId, (room, peer) => room.closeProducer(peer, producerId))
	);

	handle(socket, log, 'media:consume', ({ sessionId, producerId }) => withPeer(sessionId, (room, peer) => room.consume(peer, producerId)));
	handle(socket, log, 'media:resumeConsumer', ({ sessionId, consumerId }) =>
		withPeer(sessionId, (room, peer) => room.setConsumerPaused(peer, consumerId, false))
	);
	handle(socket, log, 'media:pauseConsumer', ({ sessionId, consumerId }) =>
		withPeer(sessionId, (room, peer) => room.setConsumerPaused(peer, consumerId, true))
	);

	handle(socket, log, 'media:preferLayer', ({ sessionId, consumerId, spatialLayer }) =>
		withPeer(sessionId, (room, peer) => room.preferLayer(peer, consumerId, spatialLayer))
	);

	handle(socket, log, 'media:leave', ({ sessionId }) =>
		withPeer(sessionId, (room) => {
			room.removePeer(userId);
			log.info({ session: sessionId, user: userId }, 'media left');
			return ok(true as const);
		})
	);

	registerE2eeRelay(socket, { log, handle, relay: handleRequest, withPeer });
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
