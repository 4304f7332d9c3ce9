/**
 * Whether anyone is in a session, on any instance, for auto-end's last check
 * before it ends a session. The rooms feature's presence answers: in this
 * process alone, or from Redis with several instances (where a dead
 * instance's people leave after the reconnect grace, by its missing
 * heartbeat). When presence cannot answer, the session counts as occupied:
 * auto-end waits rather than end a live session.
 */
import type { Logger } from '../log/index.ts';
import type { Rooms } from '../rooms/index.ts';

export interface Occupancy {
	occupied(sessionId: string): Promise<boolean>;
}

export function createOccupancy(deps: { rooms: Pick<Rooms, 'presence'>; log: Logger }): Occupancy {
	const { rooms, log } = deps;
	return {
		async occupied(sessionId) {
			try {
				return !(await rooms.presence.isEmpty(sessionId));
			} catch (err) {
				log.warn({ err, session: sessionId }, 'presence could not say whether anyone is in the session; not ending it now');
				return true;
			}
		}
	};
}
