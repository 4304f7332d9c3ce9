/** The shown card, kept in this process (one instance) and in a real Redis (several; db 2 unless TEST_REDIS_URL). */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { localCards, type ShownCards } from '../../server/prompts/cards.ts';
import { redisCards } from '../../server/prompts/cards-redis.ts';
import { createCluster } from '../../server/cluster/index.ts';
import { createLogger } from '../../server/log/index.ts';

const card = (cardId: string) => ({ cardId, promptId: 'goal-focus-today', text: 'What would you like to focus on today?', shownAt: 1, dismissedBy: [] });
const sam = { userId: 'u-sam', name: 'Sam' };
const cluster = createCluster({ redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/2', instanceId: `cards-${randomBytes(4).toString('hex')}` }, createLogger('silent'));
afterAll(() => cluster.close());

describe.each<[string, () => ShownCards]>([
	['in memory', localCards],
	['in Redis', () => redisCards(cluster)]
])('the card shown to coachees, %s', (_where, make) => {
	// Fresh session ids: the Redis database outlives a run.
	const s1 = () => `s-${randomBytes(6).toString('hex')}`;

	it('keeps one card per session; a new one replaces the old', async () => {
		const cards = make();
		const [a, b] = [s1(), s1()];
		await cards.show(a, card('a'));
		await cards.show(a, card('b'));
		expect((await cards.get(a))?.cardId).toBe('b');
		expect(await cards.get(b)).toBeNull();
	});

	it('records each coachee’s dismissal once, and only for the card still up', async () => {
		const cards = make();
		const s = s1();
		await cards.show(s, card('a'));
		expect(await cards.dismiss(s, 'old', sam, 5)).toBeNull();
		expect((await cards.dismiss(s, 'a', sam, 5))?.dismissedBy).toEqual([{ ...sam, at: 5 }]);
		expect((await cards.dismiss(s, 'a', sam, 9))?.dismissedBy).toEqual([{ ...sam, at: 5 }]);
		expect(await cards.dismissedBy(s, 'u-sam')).toBe(true);
		expect(await cards.dismissedBy(s, 'u-alex')).toBe(false);
		// A new card starts with nobody having put it away.
		await cards.show(s, card('b'));
		expect(await cards.dismissedBy(s, 'u-sam')).toBe(false);
	});

	it('forgets the card when taken back', async () => {
		const cards = make();
		const s = s1();
		await cards.show(s, card('a'));
		expect((await cards.clear(s))?.cardId).toBe('a');
		expect(await cards.clear(s)).toBeNull();
		expect(await cards.dismiss(s, 'a', sam, 5)).toBeNull();
	});
});
