/**
 * Presence in a real Redis (db 2 by default, TEST_REDIS_URL to change): the
 * Lua scripts that make join, drop, leave, the grace's end and a dead
 * instance's clean-up atomic across instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createCluster, type Cluster } from '../../server/cluster/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { presenceKeys, redisPresence } from '../../server/rooms/presence-redis.ts';
import { redisConnections } from '../../server/rooms/connections.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/2';
const log = createLogger('silent');
const id = () => randomBytes(6).toString('hex');
const person = (n: number) => ({ userId: `u${n}`, name: `Person ${n}`, role: 'coachee' as const });

describe('presence in Redis', () => {
	const clusters: Cluster[] = [];
	const instance = () => {
		const c = createCluster({ redisUrl: REDIS_URL, instanceId: `unit-${id()}` }, log);
		clusters.push(c);
		return c;
	};
	let a: Cluster;
	let b: Cluster;
	beforeAll(() => {
		a = instance();
		b = instance();
	});
	afterAll(async () => {
		await Promise.all(clusters.map((c) => c.close()));
	});

	it('holds the cap across instances under concurrent joins, and counts a second tab once', async () => {
		const [pa, pb] = [redisPresence(a, 60_000, log), redisPresence(b, 60_000, log)];
		const session = id();
		const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? pa : pb).join(session, person(i), `s${i}`, 8)));
		expect(outcomes.filter((o) => o === 'first')).toHaveLength(8);
		expect(outcomes.filter((o) => o === 'full')).toHaveLength(12);
		const inside = (await pa.participants(session)).map((p) => p.userId);
		expect(inside).toHaveLength(8);
		// Someone already in comes in again with another tab, even at the cap.
		expect(await pb.join(session, person(Number(inside[0]!.slice(1))), 'another-tab', 8)).toBe('again');
		await Promise.all([pa.close(), pb.close()]);
	});

	it('keeps a person through the grace when a socket comes back on another instance, and ends it once otherwise', async () => {
		const [pa, pb] = [redisPresence(a, 300, log), redisPresence(b, 300, log)];
		const expired: string[] = [];
		const session = id();
		// Only this test's session: the instances' earlier tests left sockets that a new presence clears.
		for (const p of [pa, pb]) p.onExpired((s, u, empty) => s === session && expired.push(`${s}:${u}:${empty}`));
		expect(await pa.join(session, person(1), 'a1', 8)).toBe('first');
		expect(await pa.join(session, person(2), 'a2', 8)).toBe('first');
		expect(await pa.drop(session, 'u1', 'a1')).toBe('reconnecting');
		expect((await pb.participants(session)).find((p) => p.userId === 'u1')?.presence).toBe('reconnecting');
		expect(await pb.join(session, person(1), 'b1', 8)).toBe('again');
		await new Promise((r) => setTimeout(r, 500));
		await Promise.all([pa.sweep(), pb.sweep()]);
		expect(expired).toEqual([]);
		expect((await pa.participants(session)).map((p) => p.presence)).toEqual(['online', 'online']);
		expect(await pb.drop(session, 'u1', 'b1')).toBe('reconnecting');
		expect(await pa.leave(session, 'u2')).toEqual({ removed: true, empty: false });
		await new Promise((r) => setTimeout(r, 500));
		await Promise.all([pa.sweep(), pb.sweep(), pa.sweep()]);
		expect(expired).toEqual([`${session}:u1:true`]);
		expect(await pa.isEmpty(session)).toBe(true);
		await Promise.all([pa.close(), pb.close()]);
	});

	it('caps one account’s connections across instances, and forgets a dead instance’s', async () => {
		const prefix = presenceKeys(a.keyPrefix + 'rooms:').prefix;
		const doomed = instance();
		const [ca, cd] = [redisConnections(a, prefix), redisConnections(doomed, prefix)];
		const user = `u-${id()}`;
		const taken = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? ca : cd).take(user, 4)));
		expect(taken.filter(Boolean)).toHaveLength(4);
		await ca.release(user);
		expect(await cd.take(user, 4)).toBe(true);
		expect(await ca.take(user, 4)).toBe(false);
		// The doomed instance holds some of them; once it stops, a sweep frees them.
		const pa = redisPresence(a, 300, log);
		await doomed.close();
		await pa.sweep();
		expect(await ca.take(user, 4)).toBe(true);
		await pa.close();
	});

	it('clears the sockets of an instance whose heartbeat stopped, after the grace', async () => {
		const doomed = instance();
		const pd = redisPresence(doomed, 300, log);
		const pa = redisPresence(a, 300, log);
		const session = id();
		const expired: string[] = [];
		pa.onExpired((s, u) => s === session && expired.push(`${s}:${u}`));
		const changed: string[] = [];
		pa.onChanged((s) => s === session && changed.push(s));
		await pd.join(session, person(1), 'd1', 8);
		await pa.join(session, person(2), 'a2', 8);
		await pd.close();
		await doomed.close(); // Its heartbeat goes with it.
		await pa.sweep();
		expect(changed).toEqual([session]);
		expect((await pa.participants(session)).map((p) => `${p.userId}:${p.presence}`)).toEqual(['u1:reconnecting', 'u2:online']);
		await new Promise((r) => setTimeout(r, 400));
		await pa.sweep();
		expect(expired).toEqual([`${session}:u1`]);
		expect((await pa.participants(session)).map((p) => p.userId)).toEqual(['u2']);
		await pa.close();
	});
});
