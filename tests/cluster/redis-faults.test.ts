/**
 * Issue 16, "Redis restarted, and one instance cut off from Redis": Redis
 * only carries what can be rebuilt, so neither loses an edit; edits made
 * meanwhile reach the other side once the fan-out catches up (from
 * PostgreSQL), and PostgreSQL holds them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { coachingPair } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { missingFrom, padFromDatabase, startTyping, tokensIn, untilHolds } from './support.ts';

let cluster: TestCluster;
beforeAll(async () => {
	cluster = await startCluster({ instances: 3, lb: true });
});
afterAll(async () => {
	await cluster?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The coach on A and the coachee on B type through `fault` (which starts it
 * and returns its end); afterwards both pads and the database must hold
 * every edit either made.
 */
async function typeThrough(fault: () => Promise<() => Promise<void> | void>, catchUpMs: number) {
	const [a, b] = cluster.instances;
	const { coach, coachee, sessionId } = await coachingPair(cluster.lbUrl!);
	const coachPad = padClient(a!.url, coach.cookie, sessionId);
	const coacheePad = padClient(b!.url, coachee.cookie, sessionId);
	await Promise.all([coachPad.synced(), coacheePad.synced()]);
	const typists = [startTyping(coachPad, 'c', 30), startTyping(coacheePad, 'e', 30)];
	await until(() => tokensIn(coacheePad.doc, 'c').size >= 10 && tokensIn(coachPad.doc, 'e').size >= 10, 30_000, 'edits flowing both ways');
	const end = await fault();
	await sleep(2500);
	await end();
	await sleep(700);
	for (const t of typists) t.stop();
	const all = new Set([...tokensIn(coachPad.doc, 'c'), ...tokensIn(coacheePad.doc, 'e')]);
	expect(all.size).toBeGreaterThan(40);
	await untilHolds(coachPad, all, catchUpMs, 'the coach caught up');
	await untilHolds(coacheePad, all, catchUpMs, 'the coachee caught up');
	coachPad.destroy();
	coacheePad.destroy();
	const stored = await padFromDatabase(cluster, coach.cookie, sessionId);
	expect(missingFrom(tokensIn(stored), all)).toEqual([]);
	for (const i of cluster.instances) if (!i.alive()) await i.restart();
}

describe('Redis faults', () => {
	it('Redis restarted (empty) mid-typing: no edit lost, fan-out catches up', async () => {
		await typeThrough(async () => {
			await cluster.redis.restart();
			return () => {};
		}, 15_000);
	});

	it('instance B cut off Redis mid-typing: it says it is not ready, no edit lost, fan-out catches up', async () => {
		const b = cluster.instances[1]!;
		await typeThrough(async () => {
			cluster.redis.cut(1);
			// /readyz checks Redis: the LB stops sending B new clients.
			let status = 200;
			for (let t = 0; t < 40 && status === 200; t++) {
				status = (await fetch(b.url + '/readyz')).status;
				if (status === 200) await sleep(100);
			}
			expect(status).toBe(503);
			return () => cluster.redis.resume(1);
		}, 15_000);
	});

	it('instance B’s link to Redis gone silent mid-typing: no edit lost, fan-out catches up', async () => {
		await typeThrough(async () => {
			cluster.redis.pause(1);
			return () => cluster.redis.resume(1);
		}, 15_000);
	});
});
