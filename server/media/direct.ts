/**
 * The relay for one-to-one calls that go peer to peer: a browser's
 * description, ICE candidate or fallback goes to the one other person in the
 * session's call and to nobody else. The server picks the target (the
 * sender cannot name one), and refuses when the sender is not in the call
 * or the call is not exactly two people: a third person, someone on the
 * pre-join screen or a stranger never receives these messages. Runs where
 * the session's room lives; the other person's socket may be on any instance.
 */
import type { Logger } from '../log/index.ts';
import { fail, ok } from '../../shared/result.ts';
import type { MediaRoom } from './room.ts';
import type { Op } from './ops.ts';

const notInCall = fail('conflict', 'Enter the call before connecting directly to the other person.');
const notTwo = fail('conflict', 'A direct connection is only for a call of two; this call goes through the server.');
const otherAway = fail('unavailable', 'The other person is reconnecting; try again in a moment.');

export function directOp(deps: { log: Logger; existingRoom(sessionId: string): MediaRoom | null }): Op<'media:direct'> {
	const { log } = deps;
	return (caller, { sessionId, signal }) => {
		const room = deps.existingRoom(sessionId);
		const me = room?.peerOf(caller.userId, caller.socketId);
		if (!room || !me?.inCall) return notInCall;
		const others = [...room.peers.values()].filter((p) => p.inCall && p.userId !== caller.userId);
		if (others.length !== 1) return notTwo;
		const other = others[0]!;
		if (!other.socketId) return otherAway;
		room.notify(other.socketId, 'media:direct', { sessionId, from: caller.userId, signal });
		log.debug({ session: sessionId, user: caller.userId, to: other.userId, kind: signal.kind }, 'direct signal relayed');
		return ok(true as const);
	};
}
