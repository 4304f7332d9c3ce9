/**
 * Presence in Redis for several instances (server/cluster). Each change is
 * one Lua script (presence-scripts.ts); the instance whose script made the
 * change is the one that raises it, so `joined`, `gone` and `empty` happen
 * once cluster-wide. A sweep on every instance ends graces that ran out and
 * clears what instances whose heartbeat stopped still held.
 */
import type { Redis } from 'ioredis';
import { limits } from '../config/index.ts';
import type { Cluster } from '../cluster/index.ts';
import type { Logger } from '../log/index.ts';
import type { Participant } from '../../shared/protocol/index.ts';
import { DROP, EXPIRE_DUE, JOIN, LEAVE, REAP } from './presence-scripts.ts';
import type { DropOutcome, Expired, Person, Presence } from './presence-shared.ts';

type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/** Each script runs by its hash (EVALSHA), loaded again by itself after a Redis restart. */
function scripts(redis: Redis) {
	const define = (name: string, lua: string): Script => {
		redis.defineCommand(`presence${name}`, { lua });
		const command = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[`presence${name}`]!.bind(redis);
		return (keys, args) => command(keys.length, ...keys, ...args);
	};
	return { join: define('Join', JOIN), drop: define('Drop', DROP), leave: define('Leave', LEAVE), expire: define('Expire', EXPIRE_DUE), reap: define('Reap', REAP) };
}

export function presenceKeys(prefix: string) {
	return {
		prefix,
		people: (s: string) => `${prefix}people:${s}`,
		sockets: (s: string) => `${prefix}sockets:${s}`,
		away: (s: string) => `${prefix}away:${s}`,
		inst: (i: string) => `${prefix}inst:${i}`,
		due: `${prefix}due`,
		instances: `${prefix}instances`
	};
}

export function redisPresence(cluster: Cluster, graceMs: number, log: Logger): Presence & { sweep(): Promise<void> } {
	const k = presenceKeys(cluster.keyPrefix + 'rooms:');
	const run = scripts(cluster.redis);
	const me = cluster.instanceId;
	const expiredListeners: Expired[] = [];
	const changedListeners: Array<(sessionId: string) => void> = [];

	async function expireDue() {
		const out = (await run.expire([k.due], [Date.now(), k.prefix, limits.clusterRooms.sweepBatch])) as Array<string | number>;
		for (let i = 0; i + 2 < out.length; i += 3) {
			const [sessionId, userId, left] = [String(out[i]), String(out[i + 1]), Number(out[i + 2])];
			for (const l of expiredListeners) l(sessionId, userId, left === 0);
		}
	}

	/** Frees what an instance held; its people get the grace from now. */
	async function reap(instanceId: string) {
		const touched = (await run.reap([k.inst(instanceId), k.instances, k.due], [instanceId, Date.now() + graceMs, k.prefix])) as string[];
		if (touched.length) log.warn({ gone: instanceId, sessions: touched.length }, 'an instance stopped: its people reconnect or leave after the grace');
		for (const s of touched) for (const l of changedListeners) l(s);
	}

	async function reapDead() {
		const ids = await cluster.redis.smembers(k.instances);
		const others = ids.filter((id) => id !== me);
		if (!others.length) return;
		const alive = await cluster.aliveAmong(others);
		for (const id of others) if (!alive.has(id)) await reap(id);
	}

	let sweeping = false;
	async function sweep() {
		if (sweeping || cluster.isCutOff()) return;
		sweeping = true;
		try {
			await expireDue();
			await reapDead();
		} catch (err) {
			log.warn({ err }, 'presence sweep failed; trying again at the next one');
		} finally {
			sweeping = false;
		}
	}
	const timer = setInterval(() => void sweep(), limits.clusterRooms.sweepMs);
	timer.unref();
	// A restart under the same id: what the previous process held is gone with it.
	void reap(me).catch((err: unknown) => log.warn({ err }, 'could not clear what this instance held before it restarted'));
	// After a cut-off this instance closed its sockets but could not say so in Redis.
	cluster.onRestored(() => reap(me));

	return {
		async join(sessionId, person, socketId, cap) {
			const json = JSON.stringify({ ...person, at: Date.now() });
			const r = Number(await run.join([k.people(sessionId), k.sockets(sessionId), k.away(sessionId), k.due, k.inst(me), k.instances], [sessionId, person.userId, json, socketId, me, cap]));
			return r === 1 ? 'first' : r === 0 ? 'again' : 'full';
		},
		async drop(sessionId, userId, socketId) {
			const keys = [k.people(sessionId), k.sockets(sessionId), k.away(sessionId), k.due, k.inst(me)];
			return (await run.drop(keys, [sessionId, userId, socketId, Date.now() + graceMs])) as DropOutcome;
		},
		async leave(sessionId, userId) {
			const [removed, left] = (await run.leave([k.people(sessionId), k.sockets(sessionId), k.away(sessionId), k.due], [sessionId, userId, k.prefix])) as [number, number];
			return { removed: removed === 1, empty: left === 0 };
		},
		async participants(sessionId) {
			const [[, people], [, sockets]] = (await cluster.redis.multi().hgetall(k.people(sessionId)).hvals(k.sockets(sessionId)).exec()) as [[unknown, Record<string, string>], [unknown, string[]]];
			const online = new Set(sockets.map((v) => v.slice(0, v.indexOf('\t'))));
			return Object.values(people)
				.map((json) => JSON.parse(json) as Person & { at: number })
				.sort((a, b) => a.at - b.at)
				.map((p): Participant => ({ userId: p.userId, name: p.name, role: p.role, presence: online.has(p.userId) ? 'online' : 'reconnecting' }));
		},
		async isEmpty(sessionId) {
			return (await cluster.redis.exists(k.people(sessionId))) === 0;
		},
		onExpired(listener) {
			expiredListeners.push(listener);
		},
		onChanged(listener) {
			changedListeners.push(listener);
		},
		sweep,
		async close() {
			clearInterval(timer);
		}
	};
}
