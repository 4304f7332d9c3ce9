/**
 * Before the coach ends a session: asks every other open page of the session
 * whether it holds pad edits the server has not confirmed, so the confirm
 * dialog can name who should wait a moment. Pages that do not answer in time
 * are counted, since their state is unknown. With several instances the
 * pages on the others are asked through the socket.io adapter.
 */
import { limits } from '../config/index.ts';
import type { RoomSocket, Rooms } from '../rooms/index.ts';
import { unsyncedReply, type EndCheck } from '../../shared/protocol/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';

/** A broadcast's acks come as a list (of one, for one socket), whatever its type says. */
const firstOf = (acks: unknown): unknown => (Array.isArray(acks) ? (acks as unknown[])[0] : acks);

export async function unsyncedEditsIn(rooms: Rooms, asking: RoomSocket, sessionId: string): Promise<Result<EndCheck>> {
	if (rooms.roleIn(asking, sessionId) !== 'coach') return fail('forbidden', 'Only the coach can end the session.');
	const unsynced = new Set<string>();
	let unanswered = 0;
	await Promise.all(
		(await rooms.socketsOf(sessionId)).map(async (remote) => {
			// The asking page checks its own edits itself.
			if (remote.id === asking.id) return;
			const page = rooms.io.sockets.sockets.get(remote.id);
			try {
				// A page on another instance (several instances) answers through the adapter, as a list of one.
				const answer: unknown = page
					? await page.timeout(limits.summary.unsyncedCheckMs).emitWithAck('session:unsynced?', { sessionId })
					: firstOf(await remote.timeout(limits.summary.unsyncedCheckMs).emitWithAck('session:unsynced?', { sessionId }));
				const reply = unsyncedReply.safeParse(answer);
				if (!reply.success) unanswered++;
				else if (reply.data.unsynced > 0) unsynced.add(remote.data.user.name);
			} catch {
				unanswered++;
			}
		})
	);
	return ok({ unsynced: [...unsynced], unanswered });
}
