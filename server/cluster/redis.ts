/**
 * Connections to Redis for the features that share state between instances.
 * Commands fail fast while Redis is away (nothing queues for ever): every
 * caller has PostgreSQL to fall back on or a clear answer to give.
 */
import { Redis } from 'ioredis';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';

/** A connection named for the log (`name`: what it is for); connects at once, reconnects by itself. */
export function openRedis(url: string, name: string, log: Logger): Redis {
	const l = limits.cluster;
	const redis = new Redis(url, {
		connectionName: `confidante:${name}`,
		lazyConnect: false,
		maxRetriesPerRequest: 1,
		commandTimeout: l.redisCommandTimeoutMs,
		retryStrategy: (times) => Math.min(l.redisReconnectFirstMs * 2 ** (times - 1), l.redisReconnectMaxMs)
	});
	let reported = false;
	redis.on('error', (err: Error) => {
		// Once per outage: a reconnect loop would otherwise log every 100 ms.
		if (!reported) log.warn({ err, redis: name }, 'Redis connection failed; retrying');
		reported = true;
	});
	redis.on('ready', () => {
		if (reported) log.info({ redis: name }, 'Redis connection back');
		reported = false;
	});
	return redis;
}
