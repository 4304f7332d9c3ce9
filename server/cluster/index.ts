/**
 * Running several instances behind a load balancer (issue 16), on when
 * REDIS_URL is set with DATABASE_URL. Offers:
 * - `createCluster(settings, log)`: this instance's id and its Redis
 *   connections, or null when the process runs alone (the default);
 * - `Cluster`: what features use to share what can be rebuilt (presence,
 *   fan-out, leases). PostgreSQL stays the source of truth.
 * - liveness (liveness.ts): this instance's heartbeat, `aliveAmong(ids)` for
 *   the others', and the cut-off from Redis: `isCutOff()`, `onCutOff(hook)`
 *   (media and pads close there before the sockets do), `onRestored(hook)`.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.ts';
import { openRedis } from './redis.ts';
import { startLiveness, type CutOffPhase } from './liveness.ts';

export { openRedis } from './redis.ts';

export interface Cluster {
	readonly instanceId: string;
	/** Prefix of every key this project puts in Redis. */
	readonly keyPrefix: string;
	/** Prefix for pub/sub channels, which are not per database: it names the database index too. */
	readonly channelPrefix: string;
	/** For commands (the caller must not block on it: no BLOCK reads, no SUBSCRIBE). */
	readonly redis: Redis;
	/** A connection of its own for a feature that blocks on reads or subscribes. */
	connection(name: string): Redis;
	/** Redis has failed for longer than limits.clusterRooms.cutOffAfterMs: not ready, no new joins. */
	isCutOff(): boolean;
	/** For /readyz: Redis answers now and the instance is not cut off. */
	ping(): Promise<boolean>;
	/** Runs when the instance is cut off from Redis; `features` (media, pads) before `sockets` (rooms closes them). */
	onCutOff(hook: () => Promise<unknown> | unknown, phase?: CutOffPhase): void;
	/** Runs when Redis answers again after a cut-off, before joins are taken again. */
	onRestored(hook: () => Promise<unknown> | unknown): void;
	/** Which of these instances have a live heartbeat. */
	aliveAmong(ids: string[]): Promise<Set<string>>;
	close(): Promise<void>;
}

const KEY_PREFIX = 'confidante:';

export function createCluster(settings: { redisUrl: string; instanceId: string }, log: Logger): Cluster {
	const clusterLog = log.child({ feature: 'cluster', instance: settings.instanceId });
	const opened: Redis[] = [];
	const connection = (name: string) => {
		const r = openRedis(settings.redisUrl, name, clusterLog);
		opened.push(r);
		return r;
	};
	const redis = connection('commands');
	const liveness = startLiveness(connection('liveness'), { instanceId: settings.instanceId, keyPrefix: KEY_PREFIX }, clusterLog);
	const db = /^\/(\d+)/.exec(new URL(settings.redisUrl).pathname)?.[1] ?? '0';
	clusterLog.info('several instances: sharing presence and fan-out through Redis');
	return {
		instanceId: settings.instanceId,
		keyPrefix: KEY_PREFIX,
		channelPrefix: `${KEY_PREFIX}db${db}:`,
		redis,
		connection,
		isCutOff: liveness.isCutOff,
		ping: liveness.ping,
		onCutOff: (hook, phase = 'features') => liveness.onCutOff(hook, phase),
		onRestored: liveness.onRestored,
		aliveAmong: liveness.aliveAmong,
		async close() {
			await liveness.stop();
			await Promise.allSettled(opened.map((r) => r.quit()));
		}
	};
}
