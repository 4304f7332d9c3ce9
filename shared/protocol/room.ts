/** Room presence: who is in a live coaching session right now. */
import { z } from 'zod';
import { ENGAGEMENT_KINDS, ROOM_ROLES, SESSION_STATUSES } from '../domain.ts';

export const sessionId = z.string().regex(/^[a-z2-7]{10,40}$/, 'Not a session id.');

export const joinSession = z.object({ sessionId, protocolVersion: z.number().int() }).strict();
export type JoinSession = z.infer<typeof joinSession>;

export const participantRole = z.enum(ROOM_ROLES);
export type ParticipantRole = z.infer<typeof participantRole>;

const participant = z.object({
	userId: z.string(),
	name: z.string(),
	role: participantRole,
	/** `reconnecting` while the socket is gone but within the grace period. */
	presence: z.enum(['online', 'reconnecting'])
});
export type Participant = z.infer<typeof participant>;

const joined = z.object({
	role: participantRole,
	session: z.object({
		id: z.string(),
		engagementId: z.string(),
		engagementTitle: z.string(),
		engagementKind: z.enum(ENGAGEMENT_KINDS),
		number: z.number().int(),
		plannedSessions: z.number().int().nullable(),
		status: z.enum(SESSION_STATUSES),
		scheduledAt: z.number(),
		durationMinutes: z.number(),
		startedAt: z.number().nullable(),
		/** While scheduled: from when joining starts it by itself (the coach may start it any time). */
		opensAt: z.number(),
		/** ...and until when. */
		closesAt: z.number()
	}),
	participants: z.array(participant)
});
export type Joined = z.infer<typeof joined>;

/** Requests a browser makes, each with its payload and the value of a successful ack. */
export const roomRequests = {
	'session:join': { payload: joinSession, reply: joined },
	'session:leave': { payload: z.object({ sessionId }).strict(), reply: z.literal(true) },
	/** The coach starts a scheduled session outside its start window (early, or late). */
	'session:start': { payload: z.object({ sessionId }).strict(), reply: z.object({ startedAt: z.number() }) }
};

/** What the server pushes to a session's sockets. */
export const roomEvents = {
	'presence:update': z.object({ sessionId: z.string(), participants: z.array(participant) }),
	/** The server is going away (restart, shutdown); clients reconnect by themselves. */
	'server:closing': z.object({ reason: z.string() }),
	/** The coach started the session (session:start). */
	'session:started': z.object({ sessionId: z.string(), startedAt: z.number() })
};
