/**
 * The cluster harness itself (tests/helpers/cluster.ts), on nothing but the
 * skeleton of issue 16: three real instances on one PostgreSQL database and
 * one private Redis, behind a real HAProxy. What the other cluster tests
 * rely on: the LB spreads new connections, takes a killed instance out of
 * rotation and puts it back, and each instance's link to Redis can be
 * paused, cut and restored without touching the others'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { until } from '../helpers/pad.ts';

let cluster: TestCluster;
beforeAll(async () => {
	cluster = await startCluster({ instances: 3, lb: true });
});
afterAll(async () => {
	await cluster?.close();
});

/** Which instance HAProxy sent a request to (it names the server in a response header). */
async function servedBy(path = '/healthz'): Promise<string> {
	const r = await fetch(cluster.lbUrl + path);
	return r.headers.get('x-served-by') ?? '?';
}

/** A websocket through the LB, and the instance it landed on (from the 101 answer). */
function wsThroughLb(): Promise<{ ws: WebSocket; instance: string }> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(cluster.lbUrl!.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket');
		ws.once('upgrade', (res) => resolve({ ws, instance: String(res.headers['x-served-by']) }));
		ws.once('error', reject);
	});
}

/** A Redis client through instance i's proxy, with the same short timeouts the server uses. */
function viaProxyOf(i: number): Redis {
	const r = new Redis(cluster.instances[i]!.env.REDIS_URL!, { maxRetriesPerRequest: 0, commandTimeout: 500, lazyConnect: true, retryStrategy: () => 200 });
	r.on('error', () => {}); // the resets are the point; each command's failure is asserted
	return r;
}

describe('cluster harness', () => {
	it('starts distinct instances on one database and one Redis, each ready', async () => {
		expect(cluster.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
		expect(new Set(cluster.instances.map((i) => i.port)).size).toBe(3);
		for (const i of cluster.instances) {
			expect((await fetch(i.url + '/readyz')).status).toBe(200);
			expect(i.logs.join('\n')).toMatch(new RegExp(`"instance":"${i.id}"`));
		}
		const ranges = cluster.instances.map((i) => [Number(i.env.MEDIA_RTC_MIN_PORT), Number(i.env.MEDIA_RTC_MAX_PORT)] as const);
		for (let k = 1; k < ranges.length; k++) expect(ranges[k]![0]).toBeGreaterThan(ranges[k - 1]![1]);
		// One database: a table written through it is there for every instance's URL.
		const { rows } = await cluster.pg.query<{ n: string }>('select count(*) as n from users');
		expect(Number(rows[0]!.n)).toBe(0);
	});

	it('spreads long-lived websockets over the instances (leastconn)', async () => {
		const sockets = await Promise.all([wsThroughLb(), wsThroughLb(), wsThroughLb()]);
		expect(new Set(sockets.map((s) => s.instance))).toEqual(new Set(['a', 'b', 'c']));
		for (const s of sockets) s.ws.close();
	});

	it('takes a killed instance out of rotation within a second or two and back after a restart', async () => {
		const [a] = cluster.instances;
		await a!.kill('SIGKILL');
		const killedAt = Date.now();
		// Requests keep succeeding (redispatch), and after the health checks none reaches a.
		for (let n = 0; n < 30; n++) expect((await fetch(cluster.lbUrl + '/healthz')).status).toBe(200);
		let out = false;
		while (!out && Date.now() - killedAt < 5000) {
			const seen = await Promise.all(Array.from({ length: 6 }, () => servedBy()));
			out = !seen.includes('a');
		}
		expect(out).toBe(true);
		expect(Date.now() - killedAt).toBeLessThan(3000);
		await a!.restart();
		expect((await fetch(a!.url + '/readyz')).status).toBe(200);
		const back = Date.now();
		let seenA = false;
		while (!seenA && Date.now() - back < 5000) seenA = (await Promise.all(Array.from({ length: 6 }, () => servedBy()))).includes('a');
		expect(seenA).toBe(true);
	});

	it('pauses, cuts and restores one instance’s link to Redis without touching the others', async () => {
		const r0 = viaProxyOf(0);
		const r1 = viaProxyOf(1);
		await Promise.all([r0.connect(), r1.connect()]);
		expect(await r0.set('harness:k', '1')).toBe('OK');
		cluster.redis.pause(0);
		await expect(r0.get('harness:k')).rejects.toThrow();
		expect(await r1.get('harness:k')).toBe('1');
		cluster.redis.resume(0);
		await until(() => r0.status === 'ready', 5000, 'r0 ready after resume');
		expect(await r0.get('harness:k')).toBe('1');
		cluster.redis.cut(0);
		await until(() => r0.status !== 'ready', 2000, 'r0 dropped by the cut');
		await expect(r0.get('harness:k')).rejects.toThrow();
		expect(await r1.get('harness:k')).toBe('1');
		cluster.redis.resume(0);
		await until(() => r0.status === 'ready', 5000, 'r0 back after the cut');
		expect(await r0.get('harness:k')).toBe('1');
		r0.disconnect();
		r1.disconnect();
	});

	it('restarts Redis empty on the same port; clients reconnect to it', async () => {
		const direct = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
		direct.on('error', () => {}); // the restart resets it
		await direct.set('harness:before', 'x');
		await cluster.redis.restart();
		await until(() => direct.status === 'ready', 5000, 'client back after the restart');
		expect(await direct.get('harness:before')).toBeNull();
		direct.disconnect();
		// Every instance stays up through it (what it does about Redis is the features' business).
		for (const i of cluster.instances) expect(i.alive()).toBe(true);
	});
});
