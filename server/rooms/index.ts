/**
 * Live rooms over socket.io: sign-in and origin checks at the handshake,
 * joining a coaching session (members only), presence with a reconnect grace
 * period, and the hooks other features (media, prompts, summary) use to add
 * their events to the same sockets.
 *
 * With a cluster (several instances), socket.io's rooms span the instances
 * (adapter.ts), presence lives in Redis (presence-redis.ts) and `joined`,
 * `gone` and `empty` are raised once, by the instance that made the change;
 * cut off from Redis, the instance refuses joins and closes its sockets so
 * clients reconnect through the load balancer to a healthy one.
 */
import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { limits, type Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { readSessionCookie, type Auth, type User } from '../auth/index.ts';
import { TWO_FACTOR_REQUIRED, type Engagements } from '../engagements/index.ts';
import { originAllowed } from '../http/origin.ts';
import {
	PROTOCOL_VERSION,
	type ClientToServerEvents,
	type HandshakeRefusal,
	type Joined,
	type ParticipantRole,
	type ServerToClientEvents
} from '../../shared/protocol/index.ts';
import { fail, ok } from '../../shared/result.ts';
import type { Cluster } from '../cluster/index.ts';
import { handle, serveRequests } from './handler.ts';
import type { Presence } from './presence-shared.ts';
import { localPresence } from './presence-local.ts';
import { presenceKeys, redisPresence } from './presence-redis.ts';
import { localConnections, redisConnections, type ConnectionCount } from './connections.ts';
import { shareRooms } from './adapter.ts';
import { limitEventRate } from './socket-limits.ts';

export { handle } from './handler.ts';

export type { Presence } from './presence-shared.ts';

export interface SocketData {
	user: User;
	/** The sign-in session the socket was opened with; ending it disconnects the socket. */
	authSession: string;
	/** Sessions this socket has joined, with the role the server looked up. */
	sessions: Map<string, ParticipantRole>;
}

export type RoomServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RoomEvents {
	/** A person's first socket joined a session. */
	joined: [sessionId: string, userId: string, role: ParticipantRole];
	/** A person left for good (Leave, or the reconnect grace ran out). */
	gone: [sessionId: string, userId: string];
	/** The last person left a session. */
	empty: [sessionId: string];
	/** A socket disconnected (it may come back within the grace period). */
	socketClosed: [sessionId: string, userId: string, socketId: string];
}

export type RoomMember = Awaited<ReturnType<RoomServer['fetchSockets']>>[number];

/** What other features use of the live rooms. */
export interface Rooms {
	io: RoomServer;
	/** Who is in which session (in Redis with a cluster): every answer is a promise. */
	presence: Presence;
	events: EventEmitter<RoomEvents>;
	/** Adds a feature's event handlers to every new socket. */
	addFeature(register: (socket: RoomSocket) => void): void;
	/** The server-side role of a socket in a session it joined, or null. */
	roleIn(socket: RoomSocket, sessionId: string): ParticipantRole | null;
	/** Sockets of a session, for sending to one role only (e.g. the coach). */
	socketsOf(sessionId: string, role?: ParticipantRole): Promise<RoomMember[]>;
	/** Tells every client why, then closes. */
	close(reason: string): Promise<void>;
}

/** Where socket.io listens (its upgrades are under `${SOCKET_PATH}/`). */
export const SOCKET_PATH = '/socket.io';

/** When joining a scheduled session starts it by itself (limits.room.startWindow). */
export function startWindow(scheduledAt: number): { opensAt: number; closesAt: number } {
	return { opensAt: scheduledAt - limits.room.startWindow.beforeMs, closesAt: scheduledAt + limits.room.startWindow.afterMs };
}

export const roomName = (sessionId: string) => `session:${sessionId}`;
/** The sockets of one role in a session: a room, so it works for sockets on other instances too. */
const roleRoom = (sessionId: string, role: ParticipantRole) => `session:${sessionId}:${role}`;

const UNAVAILABLE = 'This server lost its link to the others; reconnecting you to another one.';

export function createRooms(deps: { httpServer: HttpServer; config: Config; log: Logger; auth: Auth; engagements: Engagements; cluster?: Cluster | null }): Rooms {
	const { config, auth, engagements } = deps;
	const cluster = deps.cluster ?? null;
	const log = deps.log.child({ feature: 'rooms' });
	const graceMs = config.reconnectGraceMs;
	const presence: Presence = cluster ? redisPresence(cluster, graceMs, log) : localPresence(graceMs);
	const events = new EventEmitter<RoomEvents>();
	const features: Array<(socket: RoomSocket) => void> = [];

	const io: RoomServer = new Server(deps.httpServer, {
		path: SOCKET_PATH,
		serveClient: false,
		transports: ['websocket'],
		maxHttpBufferSize: limits.socket.maxMessageBytes,
		pingInterval: limits.socket.pingIntervalMs,
		pingTimeout: limits.socket.pingTimeoutMs,
		// Other upgrade paths (the Yjs endpoint) belong to other handlers.
		destroyUpgrade: false,
		allowRequest: (req, cb) => cb(originAllowed(req, config.origin) ? null : 'origin not allowed', originAllowed(req, config.origin))
	});
	if (cluster) shareRooms(io, cluster);

	const refuse = (message: string, code: HandshakeRefusal['code']) => Object.assign(new Error(message), { data: { code } });
	/** Open socket.io connections per account: each has its own event budget, so their number is bounded too. */
	const openPerUser: ConnectionCount = cluster ? redisConnections(cluster, presenceKeys(cluster.keyPrefix + 'rooms:').prefix) : localConnections();

	io.use(async (socket, next) => {
		// A page built for another protocol would misread every answer: it must reload first.
		const version: unknown = socket.handshake.auth.protocolVersion;
		if (version !== PROTOCOL_VERSION) {
			log.info({ version: String(version).slice(0, 20) }, 'socket refused: page from another protocol version');
			return next(refuse('This page is from an older version of Confidante. Reload the page to continue.', 'outdated_client'));
		}
		if (cluster?.isCutOff()) return next(refuse(UNAVAILABLE, 'unavailable'));
		try {
			const token = readSessionCookie(socket.request.headers.cookie, config.secureCookies);
			const session = await auth.validateSessionToken(token);
			if (!session) return next(refuse('Sign in to join a session.', 'unauthenticated'));
			const userId = session.user.id;
			// Counted from here (not from 'connection'), so parallel handshakes cannot all slip in; released when the transport closes.
			if (!(await openPerUser.take(userId, limits.socket.maxConnectionsPerAccount))) {
				log.warn({ user: userId }, 'socket refused: too many connections for one account');
				return next(refuse(`You have Confidante open in too many tabs or windows (${limits.socket.maxConnectionsPerAccount}); close some of them and reload this page.`, 'too_many_connections'));
			}
			const release = () => void openPerUser.release(userId).catch((err: unknown) => log.warn({ err, user: userId }, 'connection count not released; cleared with this instance'));
			if (socket.conn.readyState === 'closed') return release();
			socket.conn.once('close', release);
			socket.data.user = session.user;
			socket.data.authSession = session.sessionId;
			socket.data.sessions = new Map();
			next();
		} catch (err) {
			log.error({ err }, 'handshake check failed');
			next(refuse('The server could not check your sign-in; try again.', 'unavailable'));
		}
	});

	async function broadcastPresence(sessionId: string) {
		try {
			io.to(roomName(sessionId)).emit('presence:update', { sessionId, participants: await presence.participants(sessionId) });
		} catch (err) {
			log.warn({ err, session: sessionId }, 'presence not sent: it could not be read');
		}
	}

	function personGone(sessionId: string, userId: string, empty: boolean) {
		void broadcastPresence(sessionId);
		events.emit('gone', sessionId, userId);
		if (empty) events.emit('empty', sessionId);
	}
	presence.onExpired(personGone);
	presence.onChanged((sessionId) => void broadcastPresence(sessionId));
	// Cut off from Redis: the sockets go last, after media and pads had their turn (server/cluster).
	cluster?.onCutOff(() => closeLocalSockets(UNAVAILABLE), 'sockets');

	function closeLocalSockets(reason: string) {
		io.local.emit('server:closing', { reason });
		io.local.disconnectSockets(true);
	}

	io.on('connection', (socket) => {
		socket.on('error', (err) => log.warn({ err, socket: socket.id }, 'socket error'));
		limitEventRate(socket);
		const user = socket.data.user;
		// Signing out (here, on the devices page, by a password reset) disconnects this socket at once.
		const unregister = auth.live.register(socket.data.authSession, () => socket.disconnect(true));
		socket.on('disconnect', unregister);

		handle(socket, log, 'session:join', async ({ sessionId, protocolVersion }) => {
			if (protocolVersion !== PROTOCOL_VERSION) return fail('conflict', 'Confidante was updated; reload the page to continue.');
			// Members, and the sponsor in a three-way meeting only (roomAccess decides).
			const access = await engagements.roomAccess(sessionId, user.id);
			if (!access) return fail('not_found', 'This session does not exist or you are not part of its engagement.');
			if (access.twoFactorMissing) return fail('two_factor_required', TWO_FACTOR_REQUIRED);
			if (access.session.status === 'ended') return fail('gone', 'This session has ended; its summary is on the engagement page.');
			if (access.session.status === 'cancelled') return fail('gone', 'This session was cancelled; the engagement page shows the sessions still booked.');
			if (cluster?.isCutOff()) return fail('unavailable', UNAVAILABLE);
			// Taking the place first (atomic, across instances) keeps the cap under concurrent joins.
			const outcome = await presence.join(sessionId, { userId: user.id, name: user.name, role: access.role }, socket.id, limits.room.maxParticipants);
			if (outcome === 'full') return fail('conflict', `This session already has ${limits.room.maxParticipants} participants.`);
			socket.data.sessions.set(sessionId, access.role);
			// Closed while the place was taken: its disconnect did not see this session, so give the place back here.
			if (socket.disconnected) {
				void presence.drop(sessionId, user.id, socket.id).catch((err: unknown) => log.warn({ err, session: sessionId }, 'place not given back'));
				return fail('gone', 'The connection closed while joining.');
			}
			const window = startWindow(access.session.scheduled_at);
			const now = Date.now();
			// Opening the page is not starting: only inside the window around the booked time (or by the coach, session:start).
			if (access.session.status === 'scheduled' && now >= window.opensAt && now <= window.closesAt) {
				await engagements.setSessionStatus(sessionId, 'live', now);
				access.session.status = 'live';
				access.session.started_at ??= now;
			}
			await socket.join([roomName(sessionId), roleRoom(sessionId, access.role)]);
			if (outcome === 'first') events.emit('joined', sessionId, user.id, access.role);
			const participants = await presence.participants(sessionId);
			io.to(roomName(sessionId)).emit('presence:update', { sessionId, participants });
			const joined: Joined = {
				role: access.role,
				session: {
					id: access.session.id,
					engagementId: access.engagement.id,
					engagementTitle: access.engagement.title,
					engagementKind: access.engagement.kind,
					number: access.session.number,
					plannedSessions: access.engagement.planned_sessions,
					status: access.session.status,
					scheduledAt: access.session.scheduled_at,
					durationMinutes: access.session.duration_minutes,
					startedAt: access.session.started_at,
					...window
				},
				participants
			};
			return ok(joined);
		});

		handle(socket, log, 'session:start', async ({ sessionId }) => {
			if (socket.data.sessions.get(sessionId) !== 'coach') return fail('forbidden', 'Only the coach can start the session before or after its booked time.');
			const access = await engagements.sessionAccess(sessionId, user.id);
			if (!access || access.role !== 'coach') return fail('forbidden', 'Only the coach can start the session before or after its booked time.');
			if (access.twoFactorMissing) return fail('two_factor_required', TWO_FACTOR_REQUIRED);
			if (access.session.status === 'ended') return fail('gone', 'This session has ended; its summary is on the engagement page.');
			if (access.session.status === 'live') return ok({ startedAt: access.session.started_at ?? Date.now() });
			const now = Date.now();
			await engagements.setSessionStatus(sessionId, 'live', now);
			log.info({ session: sessionId, user: user.id }, 'session started by the coach');
			io.to(roomName(sessionId)).emit('session:started', { sessionId, startedAt: now });
			return ok({ startedAt: now });
		});

		handle(socket, log, 'session:leave', async ({ sessionId }) => {
			const role = socket.data.sessions.get(sessionId);
			if (!role || !socket.data.sessions.delete(sessionId)) return fail('not_found', 'You are not in this session.');
			await Promise.all([socket.leave(roomName(sessionId)), socket.leave(roleRoom(sessionId, role))]);
			const left = await presence.leave(sessionId, user.id);
			events.emit('socketClosed', sessionId, user.id, socket.id);
			if (left.removed) personGone(sessionId, user.id, left.empty);
			else void broadcastPresence(sessionId);
			return ok(true as const);
		});

		socket.on('disconnect', () => {
			for (const sessionId of socket.data.sessions.keys()) {
				events.emit('socketClosed', sessionId, user.id, socket.id);
				void presence.drop(sessionId, user.id, socket.id).then(
					(state) => (state === 'reconnecting' ? broadcastPresence(sessionId) : undefined),
					// Cut off from Redis: the heartbeat lapses and another instance starts this person's grace.
					(err: unknown) => log.warn({ err, session: sessionId, socket: socket.id }, 'socket close not recorded in presence')
				);
			}
		});

		for (const feature of features) feature(socket);
		serveRequests(socket, log);
	});

	return {
		io,
		presence,
		events,
		addFeature(register) {
			features.push(register);
		},
		roleIn(socket, sessionId) {
			return socket.data.sessions.get(sessionId) ?? null;
		},
		async socketsOf(sessionId, role) {
			return io.in(role ? roleRoom(sessionId, role) : roomName(sessionId)).fetchSockets();
		},
		async close(reason) {
			// Only this instance's sockets: with a cluster, io.emit would reach every instance's.
			io.local.emit('server:closing', { reason });
			await presence.close();
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
	};
}
