/**
 * The media lease scripts (server/media/lease.ts) on the real Redis (db 4):
 * two instances asking at once get one owner; a live owner keeps it; a dead
 * owner (no alive key) loses it to the next asker; renewing and releasing
 * only work for the token that holds it.
 */
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { instanceOf, MediaLeases } from '../../server/media/lease.ts';
import { MEDIA_REDIS_URL } from '../helpers/media-instances.ts';

const run = randomBytes(3).toString('hex');
const connections: Redis[] = [];
const instance = async (name: string) => {
	const redis = new Redis(MEDIA_REDIS_URL);
	connections.push(redis);
	const leases = new MediaLeases(redis, `lease-${run}-${name}`);
	await leases.beat();
	return leases;
};
afterAll(async () => {
	for (const r of connections) await r.quit();
});

it('gives one owner to instances asking at once, and keeps it while the owner is alive', async () => {
	const [a, b, c] = await Promise.all([instance('a'), instance('b'), instance('c')]);
	const session = `s-${run}-1`;
	const tokens = await Promise.all([a, b, c, a, b, c].map((l) => l.locate(session, true)));
	expect(new Set(tokens).size).toBe(1);
	const owner = tokens[0]!;
	expect([a, b, c].map((l) => l.instanceId)).toContain(instanceOf(owner));
	expect(await b.locate(session, true)).toBe(owner);
	// Asking without taking never takes.
	expect(await a.locate(`s-${run}-none`, false)).toBeNull();
});

it('hands a dead owner’s lease to the next asker, and renews or releases only for its holder', async () => {
	const [a, b] = await Promise.all([instance('d'), instance('e')]);
	const session = `s-${run}-2`;
	const first = (await a.locate(session, true))!;
	expect(instanceOf(first)).toBe(a.instanceId);
	expect(await a.renew(session, first)).toBe(true);
	// A clean stop (or a dead instance's alive key running out): the next asker takes over.
	await a.stop();
	const second = (await b.locate(session, true))!;
	expect(instanceOf(second)).toBe(b.instanceId);
	expect(await a.renew(session, first)).toBe(false);
	await a.release(session, first);
	expect(await b.locate(session, false)).toBe(second);
	await b.release(session, second);
	expect(await b.locate(session, false)).toBeNull();
});
