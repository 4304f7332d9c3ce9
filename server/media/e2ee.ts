/**
 * The key exchange of end-to-end encrypted calls, relayed and never read:
 * a browser announces its ECDH public key and sends its sender key sealed
 * for each other member (shared/protocol/e2ee.ts). Only people in the call
 * (past the pre-join screen) send or receive either; the server holds public
 * keys and passes on ciphertext, so it cannot decrypt a frame. Runs where
 * the session's room lives; the room's notify reaches a socket on any instance.
 *
 * Whether a browser can encrypt is what it says at `media:join`: a browser
 * that lies only hides its own media from the others, since everyone else
 * then encrypts and it holds keys for nobody but itself.
 */
import type { Logger } from '../log/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { MediaRoom } from './room.ts';
import type { MediaPeer } from './peer.ts';
import type { Op, WithPeer } from './ops.ts';
import type { PeerKey } from '../../shared/protocol/e2ee.ts';

const notInCall = fail('forbidden', 'Join the call before exchanging encryption keys.');
const cannotEncrypt = fail('conflict', 'This browser said it cannot encrypt calls; join again from a browser that can.');

export function e2eeOps(deps: { log: Logger; withPeer: WithPeer }): { 'e2ee:publicKey': Op<'e2ee:publicKey'>; 'e2ee:senderKey': Op<'e2ee:senderKey'> } {
	const { log, withPeer } = deps;
	return {
		'e2ee:publicKey': (caller, { sessionId, publicKey }) => withPeer(caller, sessionId, (room, peer) => announcePublicKey(room, peer, publicKey, log)),
		'e2ee:senderKey': (caller, { sessionId, to, keyId, wrapped, iv }) =>
			withPeer(caller, sessionId, (room, peer) => {
				if (!peer.inCall) return notInCall;
				const target = room.peers.get(to);
				if (!target || target === peer || !target.inCall || !target.socketId) return fail('not_found', 'That person is not in the call (any more).');
				room.notify(target.socketId, 'e2ee:senderKey', { sessionId, from: caller.userId, keyId, wrapped, iv });
				log.debug({ session: sessionId, user: caller.userId, to, keyId }, 'e2ee sender key relayed');
				return ok(true as const);
			})
	};
}

/**
 * Takes a member's public key (with `e2ee:publicKey`, or with the join that
 * brings them into the call) and tells the others in the call; returns the
 * others' keys.
 */
export function announcePublicKey(room: MediaRoom, peer: MediaPeer, publicKey: string, log: Logger): Result<{ peers: PeerKey[] }> {
	if (!peer.inCall) return notInCall;
	if (!peer.e2ee) return cannotEncrypt;
	const { sessionId } = room;
	const { userId } = peer;
	peer.publicKey = publicKey;
	const peers: PeerKey[] = [];
	for (const other of othersInCall(room, peer)) {
		if (other.socketId) room.notify(other.socketId, 'e2ee:peerKey', { sessionId, userId, publicKey });
		if (other.publicKey) peers.push({ userId: other.userId, publicKey: other.publicKey });
	}
	log.info({ session: sessionId, user: userId, others: peers.length }, 'e2ee public key announced');
	return ok({ peers });
}

function othersInCall(room: MediaRoom, peer: MediaPeer): MediaPeer[] {
	return [...room.peers.values()].filter((p) => p !== peer && p.inCall);
}
