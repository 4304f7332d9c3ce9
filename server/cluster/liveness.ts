/**
 * This instance's heartbeat in Redis and its view of its own link to Redis.
 * - The heartbeat is a key with a TTL, refreshed by a timer: another instance
 *   that finds it missing takes this one for dead (server/rooms clears its sockets).
 * - A probe pings Redis; failing for longer than `limits.clusterRooms.cutOffAfterMs`
 *   makes the instance "cut off": not ready, refusing joins, and the features'
 *   cut-off hooks run (media and pads first, then the sockets are closed) so
 *   clients move to a healthy instance. When Redis answers again, restored hooks run.
 */
import type { Redis } from 'ioredis';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';

export type CutOffPhase = 'features' | 'sockets';
type Hook = () => Promise<unknown> | unknown;

export interface Liveness {
	isCutOff(): boolean;
	/** Redis answered within the probe's time just now. */
	ping(): Promise<boolean>;
	onCutOff(hook: Hook, phase: CutOffPhase): void;
	onRestored(hook: Hook): void;
	aliveAmong(ids: string[]): Promise<Set<string>>;
	stop(): Promise<void>;
}

export const heartbeatKey = (prefix: string, id: string) => `${prefix}heartbeat:${id}`;

export function startLiveness(redis: Redis, opts: { instanceId: string; keyPrefix: string }, log: Logger): Liveness {
	const l = limits.clusterRooms;
	const hooks: Record<CutOffPhase, Hook[]> = { features: [], sockets: [] };
	const restoredHooks: Hook[] = [];
	let lastOk = Date.now();
	let cutOff = false;
	let stopped = false;

	const beat = () => redis.set(heartbeatKey(opts.keyPrefix, opts.instanceId), String(Date.now()), 'PX', l.heartbeatTtlMs);

	async function runHooks(list: Hook[], what: string) {
		const results = await Promise.allSettled(list.map(async (h) => h()));
		for (const r of results) if (r.status === 'rejected') log.error({ err: r.reason as unknown }, `a ${what} hook failed`);
	}

	async function becomeCutOff() {
		cutOff = true;
		log.error({ silentMs: Date.now() - lastOk }, 'cut off from Redis: not ready, refusing joins, closing media and pads, then sockets');
		// Media and pads close first, with a bound, so nothing they hold is left half-done when the sockets go.
		await Promise.race([runHooks(hooks.features, 'cut-off'), new Promise((r) => setTimeout(r, l.cutOffFeaturesMs).unref())]);
		await runHooks(hooks.sockets, 'cut-off');
	}

	let probing = false;
	async function probe() {
		// A probe can wait for the command timeout; the next one does not pile on.
		if (probing || stopped) return;
		probing = true;
		try {
			await beat();
			lastOk = Date.now();
			if (cutOff) {
				log.info('Redis answers again: ready, taking joins');
				await runHooks(restoredHooks, 'restored');
				cutOff = false;
			}
		} catch (err) {
			if (!cutOff && Date.now() - lastOk > l.cutOffAfterMs) await becomeCutOff();
			else log.debug({ err }, 'heartbeat failed');
		} finally {
			probing = false;
		}
	}
	void probe();
	const timer = setInterval(() => void probe(), l.heartbeatMs);
	timer.unref();

	return {
		isCutOff: () => cutOff,
		async ping() {
			if (cutOff || stopped) return false;
			try {
				return (await redis.ping()) === 'PONG';
			} catch {
				return false;
			}
		},
		onCutOff(hook, phase) {
			hooks[phase].push(hook);
		},
		onRestored(hook) {
			restoredHooks.push(hook);
		},
		async aliveAmong(ids) {
			if (!ids.length) return new Set();
			const beats = await redis.mget(ids.map((id) => heartbeatKey(opts.keyPrefix, id)));
			return new Set(ids.filter((_, i) => beats[i] !== null));
		},
		async stop() {
			stopped = true;
			clearInterval(timer);
			// Leaving on purpose: the others need not wait for the TTL.
			await redis.del(heartbeatKey(opts.keyPrefix, opts.instanceId)).catch(() => undefined);
		}
	};
}
