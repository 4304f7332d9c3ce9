/**
 * Which instance hosts a session's media, with several instances: the one
 * holding the session's lease in Redis (`media:lease:<session>`, a token
 * `<instanceId>|<random>` with a TTL the owner renews while it hosts the
 * room). Each instance also keeps a short-lived "alive" key, so a lease held
 * by an instance that died is taken over at the next request instead of
 * waiting for its TTL. Every step is one atomic script: two instances asking
 * at once get the same owner.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { limits } from '../config/index.ts';

const leaseKey = (sessionId: string) => `media:lease:${sessionId}`;
const aliveKey = (instanceId: string) => `media:alive:${instanceId}`;

/** The instance a lease token names. */
export const instanceOf = (token: string) => token.slice(0, token.lastIndexOf('|'));

// KEYS[1] lease; ARGV: fresh token, ttl ms, alive-key prefix, take (1/0).
// The owner's token if it is alive; else, with take, the fresh token (now the owner); else nothing.
const LOCATE = `
local v = redis.call('GET', KEYS[1])
if v then
  local inst = string.sub(v, 1, string.find(v, '|[^|]*$') - 1)
  if redis.call('EXISTS', ARGV[3] .. inst) == 1 then return v end
end
if ARGV[4] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return false`;

// KEYS[1] lease; ARGV: token, ttl ms. 1 if still ours (renewed), 0 if another holds it or it expired.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type Scripts = Redis & {
	mediaLocate(key: string, token: string, ttl: number, prefix: string, take: string): Promise<string | null>;
	mediaRenew(key: string, token: string, ttl: number): Promise<number>;
	mediaRelease(key: string, token: string): Promise<number>;
};

export class MediaLeases {
	private readonly redis: Scripts;
	readonly instanceId: string;

	constructor(redis: Redis, instanceId: string) {
		redis.defineCommand('mediaLocate', { numberOfKeys: 1, lua: LOCATE });
		redis.defineCommand('mediaRenew', { numberOfKeys: 1, lua: RENEW });
		redis.defineCommand('mediaRelease', { numberOfKeys: 1, lua: RELEASE });
		this.redis = redis as Scripts;
		this.instanceId = instanceId;
	}

	/** The live owner's token; with `take`, this instance becomes the owner when there is none. */
	locate(sessionId: string, take: boolean): Promise<string | null> {
		const fresh = `${this.instanceId}|${randomBytes(6).toString('hex')}`;
		return this.redis.mediaLocate(leaseKey(sessionId), fresh, limits.clusterMedia.leaseTtlMs, aliveKey(''), take ? '1' : '0');
	}

	async renew(sessionId: string, token: string): Promise<boolean> {
		return (await this.redis.mediaRenew(leaseKey(sessionId), token, limits.clusterMedia.leaseTtlMs)) === 1;
	}

	async release(sessionId: string, token: string): Promise<void> {
		await this.redis.mediaRelease(leaseKey(sessionId), token);
	}

	/** This instance is alive: its leases stand (refreshed on every tick). */
	async beat(): Promise<void> {
		await this.redis.set(aliveKey(this.instanceId), '1', 'PX', limits.clusterMedia.aliveTtlMs);
	}

	/** Which of these instances are alive, in one round trip. */
	async alive(instanceIds: string[]): Promise<Set<string>> {
		if (instanceIds.length === 0) return new Set();
		const found = await this.redis.mget(...instanceIds.map(aliveKey));
		return new Set(instanceIds.filter((_, i) => found[i] !== null));
	}

	/** Gone on a clean stop, so the others take over at once. */
	async stop(): Promise<void> {
		await this.redis.del(aliveKey(this.instanceId));
	}
}
