/**
 * Open socket.io connections per account (each has its own event budget, so
 * their number is bounded too): counted in this process alone, or with a
 * cluster in Redis, one hash per instance (presence's REAP drops a dead
 * instance's), so the cap holds whichever instances the tabs landed on.
 */
import type { Cluster } from '../cluster/index.ts';

export interface ConnectionCount {
	/** Counts one more connection for the account; false (and nothing counted) when it has `max` already. */
	take(userId: string, max: number): Promise<boolean>;
	release(userId: string): Promise<void>;
}

export function localConnections(): ConnectionCount {
	const open = new Map<string, number>();
	return {
		async take(userId, max) {
			const n = open.get(userId) ?? 0;
			if (n >= max) return false;
			open.set(userId, n + 1);
			return true;
		},
		async release(userId) {
			const left = (open.get(userId) ?? 1) - 1;
			if (left > 0) open.set(userId, left);
			else open.delete(userId);
		}
	};
}

/** KEYS: instances mine; ARGV: user max prefix instance. 1 taken, 0 refused. */
const TAKE = `
local total = 0
redis.call('SADD', KEYS[1], ARGV[4])
for _, iid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  total = total + tonumber(redis.call('HGET', ARGV[3] .. 'conns:' .. iid, ARGV[1]) or '0')
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
`;
/** KEYS: mine; ARGV: user. */
const RELEASE = `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n <= 1 then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
return 1
`;

export function redisConnections(cluster: Cluster, prefix: string): ConnectionCount {
	const redis = cluster.redis;
	redis.defineCommand('connectionsTake', { numberOfKeys: 2, lua: TAKE });
	redis.defineCommand('connectionsRelease', { numberOfKeys: 1, lua: RELEASE });
	const r = redis as unknown as Record<'connectionsTake' | 'connectionsRelease', (...a: (string | number)[]) => Promise<number>>;
	const mine = `${prefix}conns:${cluster.instanceId}`;
	return {
		async take(userId, max) {
			return (await r.connectionsTake.call(redis, `${prefix}instances`, mine, userId, max, prefix, cluster.instanceId)) === 1;
		},
		async release(userId) {
			await r.connectionsRelease.call(redis, mine, userId);
		}
	};
}
