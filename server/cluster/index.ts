/**
 * Running several instances behind a load balancer (issue 16), on when
 * REDIS_URL is set with DATABASE_URL. Offers:
 * - `createCluster(settings, log)`: this instance's id and its Redis
 *   connections, or null when the process runs alone (the default);
 * - `Cluster`: what features use to share what can be rebuilt (presence,
 *   fan-out, leases). PostgreSQL stays the source of truth.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.ts';
import { openRedis } from './redis.ts';

export { openRedis } from './redis.ts';

export interface Cluster {
	readonly instanceId: string;
	/** For commands (the caller must not block on it: no BLOCK reads, no SUBSCRIBE). */
	readonly redis: Redis;
	/** A connection of its own for a feature that blocks on reads or subscribes. */
	connection(name: string): Redis;
	close(): Promise<void>;
}

export function createCluster(settings: { redisUrl: string; instanceId: string }, log: Logger): Cluster {
	const clusterLog = log.child({ feature: 'cluster', instance: settings.instanceId });
	const opened: Redis[] = [];
	const connection = (name: string) => {
		const r = openRedis(settings.redisUrl, name, clusterLog);
		opened.push(r);
		return r;
	};
	const redis = connection('commands');
	clusterLog.info('several instances: sharing presence and fan-out through Redis');
	return {
		instanceId: settings.instanceId,
		redis,
		connection,
		async close() {
			await Promise.allSettled(opened.map((r) => r.quit()));
		}
	};
}
