/**
 * Fixed-window counters per key, behind one interface (`Throttle`):
 * - `RateLimiter`: in memory, for one process (the default);
 * - `redisThrottle(cluster, name, max, windowMs)`: in Redis, shared by every
 *   instance, so a client moving between instances behind the load balancer
 *   meets the same budget. If Redis fails, that instance counts in memory
 *   until it answers again (it still throttles, on its own share).
 * `throttles(cluster)` makes one or the other by configuration.
 */
import type { Cluster } from '../cluster/index.ts';
import type { Logger } from '../log/index.ts';

export interface Throttle {
	/** Milliseconds to wait if the key is over its budget, else 0. */
	retryAfter(key: string, now?: number): Promise<number> | number;
	hit(key: string, now?: number): Promise<void> | void;
	reset(key: string): Promise<void> | void;
}

export type MakeThrottle = (name: string, max: number, windowMs: number) => Throttle;

export class RateLimiter implements Throttle {
	private readonly hits = new Map<string, { count: number; resetAt: number }>();
	private readonly max: number;
	private readonly windowMs: number;

	constructor(max: number, windowMs: number) {
		this.max = max;
		this.windowMs = windowMs;
	}

	retryAfter(key: string, now = Date.now()): number {
		const h = this.hits.get(key);
		if (!h || h.resetAt <= now) return 0;
		return h.count >= this.max ? h.resetAt - now : 0;
	}

	hit(key: string, now = Date.now()): void {
		const h = this.hits.get(key);
		if (!h || h.resetAt <= now) {
			this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
			if (this.hits.size > 10_000) this.sweep(now);
		} else h.count++;
	}

	reset(key: string): void {
		this.hits.delete(key);
	}

	private sweep(now: number) {
		for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
	}
}

/** KEYS: counter; ARGV: windowMs. The window starts with the first hit. */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;
/** KEYS: counter; ARGV: max. Milliseconds left in the window when over budget, else 0. */
const RETRY_AFTER = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
`;

type Eval = (key: string, arg: number) => Promise<number>;

function commands(cluster: Cluster): { hit: Eval; retryAfter: Eval } {
	const r = cluster.redis as unknown as Record<string, (key: string, arg: number) => Promise<number>>;
	if (!r.throttleHit) {
		cluster.redis.defineCommand('throttleHit', { numberOfKeys: 1, lua: HIT });
		cluster.redis.defineCommand('throttleRetryAfter', { numberOfKeys: 1, lua: RETRY_AFTER });
	}
	return { hit: r.throttleHit!.bind(cluster.redis), retryAfter: r.throttleRetryAfter!.bind(cluster.redis) };
}

export function redisThrottle(cluster: Cluster, name: string, max: number, windowMs: number, log: Logger): Throttle {
	const run = commands(cluster);
	const local = new RateLimiter(max, windowMs);
	const keyOf = (key: string) => `${cluster.keyPrefix}throttle:${name}:${key}`;
	const fallback = (err: unknown) => log.warn({ err, throttle: name }, 'shared rate limit unavailable; counting on this instance meanwhile');
	return {
		async retryAfter(key, now) {
			try {
				return Math.max(await run.retryAfter(keyOf(key), max), local.retryAfter(key, now));
			} catch (err) {
				fallback(err);
				return local.retryAfter(key, now);
			}
		},
		async hit(key, now) {
			try {
				await run.hit(keyOf(key), windowMs);
			} catch (err) {
				fallback(err);
				local.hit(key, now);
			}
		},
		async reset(key) {
			local.reset(key);
			await cluster.redis.del(keyOf(key)).catch(fallback);
		}
	};
}

/** Counters in Redis with a cluster, in memory alone. */
export function throttles(cluster: Cluster | null | undefined, log: Logger): MakeThrottle {
	return cluster ? (name, max, windowMs) => redisThrottle(cluster, name, max, windowMs, log) : (_name, max, windowMs) => new RateLimiter(max, windowMs);
}
