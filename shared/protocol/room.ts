/** Room presence: who is in a live coaching session right now. */
import { z } from 'zod';
import type { Ack } from './ack.ts';

export const sessionId = z.string().regex(/^[a-z2-7]{10,40}$/, 'Not a session id.');

export const joinSession = z.object({ sessionId, protocolVersion: z.number().int() }).strict();
export type JoinSession = z.infer<typeof joinSession>;

export type ParticipantRole = 'coach' | 'coachee';

export interface Participant {
	userId: string;
	name: string;
	role: ParticipantRole;
	/** `reconnecting` while the socket is gone but within the grace period. */
	presence: 'online' | 'reconnecting';
}

export interface Joined {
	role: ParticipantRole;
	session: {
		id: string;
		engagementId: string;
		engagementTitle: string;
		engagementKind: 'coaching' | 'mentoring';
		number: number;
		plannedSessions: number | null;
		status: 'scheduled' | 'live' | 'ended';
		scheduledAt: number;
		durationMinutes: number;
		startedAt: number | null;
	};
	participants: Participant[];
}

export interface RoomClientEvents {
	'session:join': (msg: JoinSession, ack: Ack<Joined>) => void;
	'session:leave': (msg: { sessionId: string }, ack: Ack<true>) => void;
}

export interface RoomServerEvents {
	'presence:update': (msg: { sessionId: string; participants: Participant[] }) => void;
	/** The server is going away (restart, shutdown); clients reconnect by themselves. */
	'server:closing': (msg: { reason: string }) => void;
}
