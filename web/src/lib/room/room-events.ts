/**
 * What the server and the session socket tell the live room, as calls on
 * the room's handlers. News about the others' tracks and about this tab's
 * place in the call counts only while the person is in the call.
 */
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import type { CallPrivacy, DirectSignal, ProducerInfo } from '$shared/protocol/index.ts';
import { mark } from './marks.ts';

export interface RoomEvents {
	/** The person is in the call (past the pre-join screen, not gone). */
	wanted(): boolean;
	newProducer(producer: ProducerInfo): void;
	producerClosed(producerId: string): void;
	producerPaused(producerId: string, paused: boolean): void;
	/** Told on the pre-join screen too: the first set-up decides between the direct path and the SFU from it. */
	inCall(userIds: string[], privacy: CallPrivacy): void;
	/** A relayed message of the direct (peer-to-peer) connection. */
	direct(from: string, signal: DirectSignal): void;
	/** The server lost the session's media (a worker died); told even before the person joins. */
	renegotiate(): void;
	/** Another tab of the same person took over. */
	replaced(): void;
	disconnected(): void;
	/** The session socket joined the session (again). */
	joined(): void;
}

/** Subscribes the handlers; returns the unsubscribers. */
export function listenToRoom(connection: SessionConnection, on: RoomEvents): Array<() => void> {
	const mine = (m: { sessionId: string }) => m.sessionId === connection.sessionId && on.wanted();
	const offs = [
		connection.listen('media:newProducer', (m) => {
			if (!mine(m)) return;
			mark('new-producer', { kind: m.producer.kind });
			on.newProducer(m.producer);
		}),
		connection.listen('media:producerClosed', (m) => mine(m) && on.producerClosed(m.producerId)),
		connection.listen('media:inCall', (m) => m.sessionId === connection.sessionId && on.inCall(m.userIds, m.privacy)),
		connection.listen('media:direct', (m) => mine(m) && on.direct(m.from, m.signal)),
		connection.listen('media:producerPaused', (m) => mine(m) && on.producerPaused(m.producerId, true)),
		connection.listen('media:producerResumed', (m) => mine(m) && on.producerPaused(m.producerId, false)),
		connection.listen('media:renegotiate', (m) => m.sessionId === connection.sessionId && on.renegotiate()),
		connection.listen('media:replaced', (m) => mine(m) && on.replaced())
	];
	const onDisconnect = () => on.disconnected();
	connection.socket.on('disconnect', onDisconnect);
	offs.push(() => void connection.socket.off('disconnect', onDisconnect));
	offs.push(connection.onJoined(() => on.joined()));
	return offs;
}
