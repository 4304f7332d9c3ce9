/** A person's share of a document: connections (makeRoom) and full-state answer bytes (AnswerBuckets, with an injected clock). */
import { describe, expect, it } from 'vitest';
import { AnswerBuckets, makeRoom } from '../../server/pad/shares.ts';

const peers = (...users: string[]) => users.map((userId, i) => ({ userId, id: `${userId}${i}` }));
const bounds = { perUser: 3, perDoc: 6 };

describe('makeRoom', () => {
	it('lets a newcomer in while there is room', () => {
		expect(makeRoom(peers('coach', 'sam'), 'sam', bounds)).toEqual([]);
	});
	it("past a person's share, closes their own oldest", () => {
		const p = peers('coach', 'sam', 'sam', 'sam');
		expect(makeRoom(p, 'sam', bounds)).toEqual([p[1]]);
	});
	it('a full document closes one of whoever holds the most, never a last connection', () => {
		const p = peers('coach', 'sam', 'sam', 'alex', 'alex', 'robin');
		expect(makeRoom(p, 'jo', bounds)).toEqual([p[1]]);
		expect(makeRoom(peers('a', 'b', 'c', 'd', 'e', 'f'), 'jo', bounds)).toBeNull();
		// The newcomer's own oldest goes before anyone else's.
		const q = peers('coach', 'coach', 'sam', 'sam', 'alex', 'robin');
		expect(makeRoom(q, 'robin', bounds)).toEqual([q[5]]);
	});
});

describe('AnswerBuckets', () => {
	it('charges per person, refills over time, and judges before the answer is built', () => {
		let now = 0;
		const b = new AnswerBuckets({ burstBytes: 1_000, bytesPerSecond: 100 }, () => now);
		expect(b.affords('sam', 600)).toBe(true);
		b.charge('sam', 600);
		expect(b.affords('sam', 600)).toBe(false);
		expect(b.affords('coach', 600)).toBe(true);
		now += 2_000;
		expect(b.affords('sam', 600)).toBe(true);
		// More than the burst is allowed only from a full bucket.
		expect(b.affords('coach', 5_000)).toBe(true);
		b.charge('coach', 5_000);
		// ...and leaves a debt that takes its time to repay.
		now += 10_000;
		expect(b.affords('coach', 1)).toBe(false);
		now += 40_000;
		expect(b.affords('coach', 1)).toBe(true);
	});
});
