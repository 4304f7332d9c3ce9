/**
 * What every media request does, run where the session's room lives. A
 * request names its caller (the person, their socket and the instance that
 * socket is on) instead of carrying the socket, so the same code serves a
 * socket of this process and one forwarded from another instance
 * (clustered.ts). Membership is checked before this, by the instance that
 * holds the socket; everything here checks that the ids belong to the caller.
 */
import type { types } from 'mediasoup';
import type { Logger } from '../log/index.ts';
import type { MediaCapabilities } from '../../shared/protocol/index.ts';
import type { Answer, ParsedPayload } from '../../shared/protocol/events.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { MediaRoom } from './room.ts';
import type { MediaPeer } from './peer.ts';
import { announcePublicKey, e2eeOps } from './e2ee.ts';
import { directOp } from './direct.ts';

/** Who asks: enough to find their peer and to reach their socket. */
export interface Caller {
	userId: string;
	socketId: string;
	/** The instance the socket is connected to (this one when running alone). */
	instanceId: string;
}

export const MEDIA_OPS = [
	'media:capabilities',
	'media:join',
	'media:createTransports',
	'media:connectTransport',
	'media:restartIce',
	'media:produce',
	'media:pauseProducer',
	'media:resumeProducer',
	'media:closeProducer',
	'media:consume',
	'media:resumeConsumer',
	'media:pauseConsumer',
	'media:preferLayer',
	'media:leave',
	'e2ee:publicKey',
	'e2ee:senderKey',
	'media:direct'
] as const;
export type MediaOpName = (typeof MEDIA_OPS)[number];

export type Op<K extends MediaOpName> = (caller: Caller, payload: ParsedPayload<K>) => Promise<Answer<K>> | Answer<K>;
export type MediaOps = { [K in MediaOpName]: Op<K> };
/** Runs one op by name (the table above, or a forward to the owner instance). */
export type Dispatch = <K extends MediaOpName>(name: K, caller: Caller, payload: ParsedPayload<K>) => Promise<Answer<K>>;

export type WithPeer = <T>(caller: Caller, sessionId: string, fn: (room: MediaRoom, peer: MediaPeer) => Promise<Result<T>> | Result<T>) => Promise<Result<T>>;

export interface OpsDeps {
	log: Logger;
	/** The session's media room, created (with a router) when missing; null if no worker can run. */
	roomFor(sessionId: string): Promise<MediaRoom | null>;
	existingRoom(sessionId: string): MediaRoom | null;
	capabilities(room: MediaRoom): Omit<MediaCapabilities, 'e2eeRequired'>;
	/** The coach requires end-to-end encryption for this session's engagement. */
	e2eeRequired(sessionId: string): Promise<boolean>;
	/** Called when a caller's socket joined a room here (clustered mode learns where to reach it). */
	joined?(caller: Caller, sessionId: string): void;
}

export const noPeer = fail('conflict', 'Join the room’s video first.');
const unavailable = fail('unavailable', 'Live video is not available on this server right now; try again in a moment.');
const encryptionRequired = fail(
	'forbidden',
	'Your coach requires end-to-end encrypted calls for this engagement, and this browser cannot encrypt them. Join from a recent Chrome, Edge, Firefox or Safari.'
);

export function mediaOps(deps: OpsDeps): MediaOps {
	const { log } = deps;
	/** Runs `fn` with the caller's peer in the session, or answers why it cannot. */
	const withPeer: WithPeer = async (caller, sessionId, fn) => {
		const room = deps.existingRoom(sessionId);
		const peer = room?.peerOf(caller.userId, caller.socketId);
		if (!room || !peer) return noPeer;
		return fn(room, peer);
	};

	return {
		'media:capabilities': async (_caller, { sessionId }) => {
			const [room, required] = await Promise.all([deps.roomFor(sessionId), deps.e2eeRequired(sessionId)]);
			return room ? ok({ ...deps.capabilities(room), e2eeRequired: required }) : unavailable;
		},
		'media:join': async (caller, { sessionId, peerId, rtpCapabilities, entering, e2ee, publicKey }) => {
			const [room, required] = await Promise.all([deps.roomFor(sessionId), deps.e2eeRequired(sessionId)]);
			if (!room) return unavailable;
			room.e2eeRequired = required;
			if (required && !e2ee) {
				// No peer, so every later media request of this tab is refused too.
				log.info({ session: sessionId, user: caller.userId }, 'media join refused: end-to-end encryption required');
				return encryptionRequired;
			}
			deps.joined?.(caller, sessionId);
			const joined = room.join(caller.userId, peerId, caller.socketId, rtpCapabilities, entering, e2ee);
			log.info({ session: sessionId, user: caller.userId, via: caller.instanceId, entering, e2ee, encrypted: joined.privacy.encrypted, kept: Boolean(joined.kept), others: joined.producers.length }, 'media joined');
			// Entering with its public key: announced now, the others' keys in the reply (one round trip less before the first encrypted frame opens).
			const peer = entering ? room.peerOf(caller.userId, caller.socketId) : null;
			const announced = peer && publicKey ? announcePublicKey(room, peer, publicKey, log) : null;
			return ok(announced?.ok ? { ...joined, peerKeys: announced.value.peers } : joined);
		},
		'media:createTransports': (c, { sessionId }) => withPeer(c, sessionId, async (room, peer) => ok(await room.createTransports(peer))),
		'media:connectTransport': (c, { sessionId, transportId, dtlsParameters }) =>
			withPeer(c, sessionId, (room, peer) => room.connectTransport(peer, transportId, dtlsParameters as types.DtlsParameters)),
		'media:restartIce': (c, { sessionId, transportId }) => withPeer(c, sessionId, (room, peer) => room.restartIce(peer, transportId)),
		'media:produce': (c, { sessionId, ...req }) => withPeer(c, sessionId, (room, peer) => room.produce(peer, req)),
		'media:pauseProducer': (c, { sessionId, producerId }) => withPeer(c, sessionId, (room, peer) => room.setProducerPaused(peer, producerId, true)),
		'media:resumeProducer': (c, { sessionId, producerId }) => withPeer(c, sessionId, (room, peer) => room.setProducerPaused(peer, producerId, false)),
		'media:closeProducer': (c, { sessionId, producerId }) => withPeer(c, sessionId, (room, peer) => room.closeProducer(peer, producerId)),
		'media:consume': (c, { sessionId, producerId }) => withPeer(c, sessionId, (room, peer) => room.consume(peer, producerId)),
		'media:resumeConsumer': (c, { sessionId, consumerId }) => withPeer(c, sessionId, (room, peer) => room.setConsumerPaused(peer, consumerId, false)),
		'media:pauseConsumer': (c, { sessionId, consumerId }) => withPeer(c, sessionId, (room, peer) => room.setConsumerPaused(peer, consumerId, true)),
		'media:preferLayer': (c, { sessionId, consumerId, spatialLayer }) => withPeer(c, sessionId, (room, peer) => room.preferLayer(peer, consumerId, spatialLayer)),
		'media:leave': (c, { sessionId }) =>
			withPeer(c, sessionId, (room) => {
				room.removePeer(c.userId);
				log.info({ session: sessionId, user: c.userId }, 'media left');
				return ok(true as const);
			}),
		...e2eeOps({ log, withPeer }),
		'media:direct': directOp({ log, existingRoom: deps.existingRoom })
	};
}

/** Runs an op of the table by name (the generic indexing keeps each op's own types). */
export function localDispatch(ops: MediaOps): Dispatch {
	return async (name, caller, payload) => (ops[name] as Op<typeof name>)(caller, payload);
}
