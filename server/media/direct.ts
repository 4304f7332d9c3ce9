/**
 * The relay for one-to-one calls that go peer to peer: a browser's
 * description, ICE candidate or fallback goes to the one other person in the
 * session's call and to nobody else. The server picks the target (the
 * sender cannot name one), and refuses when the sender is not in the call
 * or the call is not exactly two people: a third person, someone on the
 * pre-join screen or a stranger never receives these messages.
 */
import type { Logger } from '../log/index.ts';
import type { Rooms, RoomSocket } from '../rooms/index.ts';
import { handle } from '../rooms/index.ts';
import { fail, ok } from '../../shared/result.ts';
import type { MediaRoom, Notify } from './room.ts';

const notJoined = fail('forbidden', 'Join the session before using its video.');
const notInCall = fail('conflict', 'Enter the call before connecting directly to the other person.');
const notTwo = fail('conflict', 'A direct connection is only for a call of two; this call goes through the server.');
const otherAway = fail('unavailable', 'The other person is reconnecting; try again in a moment.');

export function registerDirectRelay(socket: RoomSocket, deps: { rooms: Rooms; log: Logger; existingRoom(sessionId: string): MediaRoom | null; notify: Notify }): void {
	const { rooms, log } = deps;
	const userId = socket.data.user.id;
	// Not in the person's media queue: a relay changes nothing at the server, and candidates must not wait behind a transport set-up.
	handle(socket, log, 'media:direct', ({ sessionId, signal }) => {
		if (!rooms.roleIn(socket, sessionId)) return notJoined;
		const room = deps.existingRoom(sessionId);
		const me = room?.peerOf(userId, socket.id);
		if (!room || !me?.inCall) return notInCall;
		const others = [...room.peers.values()].filter((p) => p.inCall && p.userId !== userId);
		if (others.length !== 1) return notTwo;
		const other = others[0]!;
		if (!other.socketId) return otherAway;
		deps.notify(other.socketId, 'media:direct', { sessionId, from: userId, signal });
		log.debug({ session: sessionId, user: userId, to: other.userId, kind: signal.kind }, 'direct signal relayed');
		return ok(true as const);
	});
}
