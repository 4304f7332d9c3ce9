/**
 * Media with several instances (issue 16). A session's router lives on the
 * instance holding its lease (lease.ts); a request from a socket on another
 * instance is forwarded there and answered back (inbox.ts); what the owner
 * pushes to a socket on another instance goes through that instance's inbox.
 * RTP goes to the owner directly: its transports carry its own announced
 * address and RTC ports.
 *
 * Recovery: every tick the owner renews its leases (and closes the media of
 * a session whose lease it lost, or of every session when it could not renew
 * for nearly a TTL: another instance may take over), and each instance checks
 * the owner of every session its sockets are in; when the owner changed or
 * died, it tells those sockets to set their media up again
 * (`media:renegotiate`, the path a dead worker already uses), and their first
 * request takes the lease if nobody holds it.
 */
import type { Cluster } from '../cluster/index.ts';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms } from '../rooms/index.ts';
import { clientRequests } from '../../shared/protocol/index.ts';
import { fail, type Result } from '../../shared/result.ts';
import { MediaInbox, type Envelope, type Reply, type Request } from './inbox.ts';
import { instanceOf, MediaLeases } from './lease.ts';
import { MEDIA_OPS, type Caller, type Dispatch, type MediaOpName, type MediaOps, type Op } from './ops.ts';
import type { MediaRoom, Notify } from './room.ts';
import type { KeyedQueue } from './signalling.ts';

export interface ClusteredMedia {
	dispatch: Dispatch;
	notify: Notify;
	/** Where a caller's socket is, learnt from each op (the owner pushes to it there). */
	joined(caller: Caller, sessionId: string): void;
	close(): Promise<void>;
}

interface Deps {
	cluster: Cluster;
	rooms: Rooms;
	log: Logger;
	queue: KeyedQueue;
	/** Filled in once the ops exist (they need this module's notify). */
	ops(): MediaOps;
	live: Map<string, MediaRoom>;
	closeRoom(sessionId: string, why: string): void;
}

const creating = new Set<MediaOpName>(['media:capabilities', 'media:join']);
const redisDown = fail('unavailable', 'Video signalling is unavailable for a moment; reconnecting by itself.');
const moved = 'The call moved to another server; reconnecting video.';

export function clusteredMedia(deps: Deps): ClusteredMedia {
	const { cluster, rooms, live } = deps;
	const self = cluster.instanceId;
	const log = deps.log.child({ instance: self });
	const leases = new MediaLeases(cluster.redis, self);
	/** Leases this instance holds: session → token. */
	const held = new Map<string, string>();
	/** Sessions this instance's sockets use media in: session → socket → who, and the owner token that served it last. */
	const localCalls = new Map<string, Map<string, { userId: string; token: string | null }>>();
	/** Sockets of peers in rooms here, by the instance they are on. */
	const homes = new Map<string, string>();
	/** When a room here was first seen without peers (closed after limits.clusterMedia.emptyRoomCloseMs). */
	const emptySince = new Map<string, number>();
	let lastRenewed = Date.now();

	const inbox = new MediaInbox({ instanceId: self, redis: cluster.redis, reader: cluster.connection('media-inbox'), log, onRequest, onMessage });

	const localEmit = (socketId: string, event: string, args: unknown[]) => {
		const socket = rooms.io.sockets.sockets.get(socketId);
		(socket?.emit as ((e: string, ...a: unknown[]) => boolean) | undefined)?.call(socket, event, ...args);
	};

	const notify: Notify = (socketId, event, ...args) => {
		const home = homes.get(socketId) ?? self;
		if (home === self) return localEmit(socketId, event, args);
		inbox.send(home, { t: 'notify', socketId, event, args }).catch((err: unknown) => log.warn({ err, to: home, event }, 'media push to another instance failed'));
	};

	function remember(caller: Caller, sessionId: string): void {
		homes.set(caller.socketId, caller.instanceId);
		emptySince.delete(sessionId);
	}

	/** Which owner served this socket's op (a later change of owner renegotiates it). */
	function track(name: MediaOpName, caller: Caller, sessionId: string, token: string | null): void {
		if (name === 'media:leave') return void localCalls.get(sessionId)?.delete(caller.socketId);
		let sockets = localCalls.get(sessionId);
		const known = sockets?.get(caller.socketId);
		if (known) known.token = token ?? known.token;
		else if (creating.has(name)) {
			if (!sockets) localCalls.set(sessionId, (sockets = new Map()));
			sockets.set(caller.socketId, { userId: caller.userId, token });
		}
	}

	/** The owner's token, taking the lease for this instance when there is none and the op may open the room. */
	async function owner(sessionId: string, take: boolean): Promise<string | null> {
		const token = await leases.locate(sessionId, take);
		if (token && instanceOf(token) === self && held.get(sessionId) !== token) {
			held.set(sessionId, token);
			log.info({ session: sessionId }, 'media lease taken');
		}
		return token;
	}

	const runHere = <K extends MediaOpName>(name: K, caller: Caller, payload: unknown) => (deps.ops()[name] as Op<K>)(caller, payload as never);

	const dispatch: Dispatch = async (name, caller, payload) => {
		const { sessionId } = payload as { sessionId: string };
		for (let attempt = 0; attempt < 2; attempt++) {
			let token: string | null;
			try {
				token = await owner(sessionId, creating.has(name));
			} catch (err) {
				log.warn({ err, session: sessionId, op: name }, 'media owner lookup failed: Redis unavailable');
				return redisDown as never;
			}
			track(name, caller, sessionId, token);
			// No owner and nothing to open: there is no room, so the op answers as it does for a missing peer.
			if (!token || instanceOf(token) === self) return runHere(name, caller, payload);
			const reply = await inbox.request(instanceOf(token), { op: name, caller, payload });
			if (!reply.moved) return reply.answer as never;
		}
		return fail('unavailable', moved) as never;
	};

	async function onRequest(req: Request): Promise<Reply> {
		const name = MEDIA_OPS.find((n) => n === req.op);
		if (!name) return { answer: fail('unknown_event', `Unknown media op ${req.op.slice(0, 40)}.`) };
		const parsed = clientRequests[name].payload.safeParse(req.payload);
		if (!parsed.success) return { answer: fail('invalid_input', `Invalid forwarded ${name} request.`) };
		const { sessionId } = parsed.data as { sessionId: string };
		if (!held.has(sessionId)) return { answer: fail('unavailable', moved), moved: true };
		remember(req.caller, sessionId);
		const run = () => runHere(name, req.caller, parsed.data) as Promise<Result<unknown>>;
		const answer = name === 'media:direct' ? await run() : await deps.queue.run(`${sessionId}:${req.caller.userId}`, run);
		return { answer };
	}

	function onMessage(msg: Exclude<Envelope, { t: 'req' } | { t: 'res' }>): void {
		if (msg.t === 'notify') return localEmit(msg.socketId, msg.event, msg.args);
		roomEvent(msg.kind, msg.sessionId, msg.userId, msg.socketId, msg.from);
	}

	/** A room event of a socket on instance `from`, applied where the room lives. */
	function roomEvent(kind: 'socketClosed' | 'gone' | 'empty', sessionId: string, userId: string, socketId: string, from: string): void {
		const room = live.get(sessionId);
		if (!room) return;
		if (kind === 'socketClosed') return room.detach(userId, socketId);
		if (kind === 'gone') {
			const peer = room.peers.get(userId);
			// Presence elsewhere may not know the person came back through another instance.
			if (peer && (peer.socketId === null || (homes.get(peer.socketId) ?? self) === from)) room.removePeer(userId);
			return;
		}
		if ([...room.peers.values()].every((p) => p.socketId === null)) void drop(sessionId, 'everyone left');
	}

	/** Local presence news goes to the session's owner (here or elsewhere). */
	function forward(kind: 'socketClosed' | 'gone' | 'empty', sessionId: string, userId: string, socketId: string): void {
		if (kind !== 'empty') localCalls.get(sessionId)?.delete(socketId);
		if (held.has(sessionId)) return roomEvent(kind, sessionId, userId, socketId, self);
		void leases
			.locate(sessionId, false)
			.then((token) => {
				if (token && instanceOf(token) !== self) return inbox.send(instanceOf(token), { t: 'event', kind, sessionId, userId, socketId, from: self });
			})
			.catch((err: unknown) => log.warn({ err, session: sessionId, kind }, 'media room event not forwarded: Redis unavailable'));
	}
	rooms.events.on('socketClosed', (sessionId, userId, socketId) => forward('socketClosed', sessionId, userId, socketId));
	rooms.events.on('gone', (sessionId, userId) => {
		for (const [socketId, s] of localCalls.get(sessionId) ?? []) if (s.userId === userId) localCalls.get(sessionId)?.delete(socketId);
		forward('gone', sessionId, userId, '');
	});
	rooms.events.on('empty', (sessionId) => forward('empty', sessionId, '', ''));

	/** This instance's sockets in the session set their media up again (and learn the new owner from it). */
	function renegotiate(sessionId: string, reason: string, only?: string): void {
		for (const [socketId, s] of localCalls.get(sessionId) ?? []) {
			if (only && socketId !== only) continue;
			s.token = null;
			localEmit(socketId, 'media:renegotiate', [{ sessionId, reason }]);
		}
	}

	/** Closes the session's room here and lets its lease go. */
	async function drop(sessionId: string, why: string): Promise<void> {
		deps.closeRoom(sessionId, why);
		emptySince.delete(sessionId);
		const token = held.get(sessionId);
		held.delete(sessionId);
		if (token) await leases.release(sessionId, token);
	}

	/** The owner keeps its leases, or lets go of the media it can no longer claim. */
	async function renewAll(now: number): Promise<void> {
		let failed = false;
		for (const [sessionId, token] of held) {
			try {
				if (await leases.renew(sessionId, token)) continue;
				held.delete(sessionId);
				deps.closeRoom(sessionId, 'media lease lost to another instance');
				renegotiate(sessionId, moved);
			} catch (err) {
				if (!failed) log.warn({ err }, 'media lease renewal failed: Redis unavailable');
				failed = true;
			}
		}
		if (!failed) lastRenewed = now;
		else if (now - lastRenewed > limits.clusterMedia.leaseTtlMs - limits.clusterMedia.leaseSafetyMs) {
			// Past this another instance may take the sessions: close ours before both serve one call.
			for (const sessionId of [...held.keys()]) {
				held.delete(sessionId);
				deps.closeRoom(sessionId, 'media lease could not be renewed (Redis unavailable)');
				renegotiate(sessionId, moved);
			}
			lastRenewed = now;
		}
	}

	/** Each session this instance's sockets are in: a new or dead owner means new media for them. */
	async function watch(): Promise<void> {
		for (const [sessionId, sockets] of localCalls) {
			if (sockets.size === 0) {
				localCalls.delete(sessionId);
				continue;
			}
			// Not taken here: the renegotiating browsers' first request takes it (nobody holds a lease for a call that ended).
			const now = await owner(sessionId, false);
			for (const [socketId, s] of sockets) {
				// Null: not served since the last renegotiate; its next request learns the owner.
				if (s.token === null || s.token === now) continue;
				log.info({ session: sessionId, user: s.userId, from: instanceOf(s.token), to: now && instanceOf(now) }, 'media owner changed; renegotiating');
				renegotiate(sessionId, moved, socketId);
			}
		}
	}

	/** Peers behind a dead instance are detached; detached ones past the grace removed; empty rooms closed. */
	async function sweep(now: number): Promise<void> {
		const homeOf = (socketId: string | null) => (socketId ? homes.get(socketId) : undefined);
		const remote = new Set<string>();
		for (const room of live.values()) for (const p of room.peers.values()) remote.add(homeOf(p.socketId) ?? self);
		remote.delete(self);
		const alive = await leases.alive([...remote]);
		const referenced = new Set<string>();
		for (const room of live.values()) {
			for (const p of [...room.peers.values()]) {
				const home = homeOf(p.socketId);
				if (p.socketId && home && home !== self && !alive.has(home)) room.detach(p.userId, p.socketId);
				if (p.socketId) {
					referenced.add(p.socketId);
					detachedAt.delete(p);
				} else if (now - (detachedAt.get(p) ?? (detachedAt.set(p, now), now)) > limits.room.reconnectGraceMs) room.removePeer(p.userId);
			}
		}
		// A lease with no room or an empty one: kept a while (a join follows capabilities), then let go.
		for (const sessionId of [...held.keys()]) {
			if ((live.get(sessionId)?.peers.size ?? 0) > 0) {
				emptySince.delete(sessionId);
				continue;
			}
			const since = emptySince.get(sessionId) ?? now;
			emptySince.set(sessionId, since);
			if (now - since > limits.clusterMedia.emptyRoomCloseMs) await drop(sessionId, 'no peers');
		}
		for (const socketId of homes.keys()) if (!referenced.has(socketId)) homes.delete(socketId);
	}
	const detachedAt = new WeakMap<object, number>();

	let ticking = false;
	let tickFailing = false;
	const timer = setInterval(() => {
		if (ticking) return;
		ticking = true;
		const now = Date.now();
		void (async () => {
			try {
				await leases.beat();
				await renewAll(now);
				await watch();
				await sweep(now);
				tickFailing = false;
			} catch (err) {
				// Once per outage: the tick runs every second.
				if (!tickFailing) log.warn({ err }, 'media cluster tick failed; retrying every tick');
				tickFailing = true;
			} finally {
				ticking = false;
			}
		})();
	}, limits.clusterMedia.tickMs);
	timer.unref();
	void leases.beat().catch((err: unknown) => log.warn({ err }, 'media heartbeat failed'));
	inbox.start();

	return {
		dispatch,
		notify,
		joined: remember,
		async close() {
			clearInterval(timer);
			await Promise.allSettled([...held].map(([s, t]) => leases.release(s, t)));
			held.clear();
			await leases.stop().catch(() => {});
			await inbox.close();
		}
	};
}
