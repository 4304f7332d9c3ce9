/**
 * Whether anyone is in a session, on any instance, for auto-end's last check
 * before it ends a session. This instance's rooms answer for its own people
 * (and for everyone once presence lives in Redis); with several instances,
 * each also tells Redis, every `occupancyBeatMs`, which sessions have people
 * on it (a hash per session: instance -> until when), so a session someone
 * is in on another instance is never ended from here, and a dead instance's
 * entries run out by themselves. When Redis cannot answer, the session counts
 * as occupied: auto-end waits rather than end a live session.
 */
import type { Cluster } from '../cluster/index.ts';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms } from '../rooms/index.ts';

export interface Occupancy {
	occupied(sessionId: string): Promise<boolean>;
	/** Tells Redis at once that someone is here (a join), before auto-end on another instance looks. */
	here(sessionId: string): Promise<void>;
	/** Nobody is left here (an `empty` event). */
	leftHere(sessionId: string): Promise<void>;
	start(): void;
	close(): void;
}

const keyOf = (sessionId: string) => `confidante:occupancy:${sessionId}`;

export function createOccupancy(deps: { rooms: Pick<Rooms, 'presence'>; cluster: Cluster | null | undefined; log: Logger }): Occupancy {
	const { rooms, cluster, log } = deps;
	let timer: ReturnType<typeof setInterval> | null = null;
	const l = limits.clusterJobs;
	// Presence may answer at once (this process) or from Redis (several instances): both are awaited.
	const emptyHere = async (id: string) => Promise.resolve(rooms.presence.isEmpty(id));

	async function tell(ids: string[]) {
		if (!cluster || ids.length === 0) return;
		const until = Date.now() + l.occupancyTtlMs;
		const m = cluster.redis.multi();
		for (const id of ids) m.hset(keyOf(id), cluster.instanceId, String(until)).pexpire(keyOf(id), l.occupancyTtlMs);
		await m.exec();
	}

	async function beat() {
		try {
			await tell([...(await Promise.resolve(rooms.presence.activeSessions()))]);
		} catch (err) {
			log.warn({ err }, 'could not tell Redis which sessions have people here; auto-end elsewhere waits meanwhile');
		}
	}

	return {
		async occupied(sessionId) {
			if (!(await emptyHere(sessionId))) return true;
			if (!cluster) return false;
			try {
				const entries = await cluster.redis.hgetall(keyOf(sessionId));
				const now = Date.now();
				return Object.values(entries).some((until) => Number(until) > now);
			} catch (err) {
				log.warn({ err, session: sessionId }, 'Redis could not say whether anyone is in the session; not ending it now');
				return true;
			}
		},
		async here(sessionId) {
			await tell([sessionId]).catch((err: unknown) => log.warn({ err, session: sessionId }, 'could not tell Redis about a join'));
		},
		async leftHere(sessionId) {
			if (!cluster) return;
			await cluster.redis.hdel(keyOf(sessionId), cluster.instanceId).catch((err: unknown) => log.warn({ err, session: sessionId }, 'could not tell Redis the session is empty here'));
		},
		start() {
			if (!cluster || timer) return;
			timer = setInterval(() => void beat(), l.occupancyBeatMs);
			timer.unref();
			void beat();
		},
		close() {
			if (timer) clearInterval(timer);
			timer = null;
		}
	};
}
