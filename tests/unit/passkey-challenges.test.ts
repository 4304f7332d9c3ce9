/** WebAuthn challenges: single use, short-lived, and only for what they were made for. */
import { expect, it } from 'vitest';
import { Challenges } from '../../server/auth/second-factor/challenges.ts';
import { limits } from '../../server/config/index.ts';

it('a challenge works once, for its purpose and person, within its lifetime', () => {
	const c = new Challenges();
	const now = 1_000_000;
	const a = c.issue({ kind: 'register', userId: 'u1' }, now);
	expect(c.use(a.bytes, { kind: 'register', userId: 'u1' }, now + 1000)).toBe(true);
	expect(c.use(a.bytes, { kind: 'register', userId: 'u1' }, now + 1000)).toBe(false);

	const b = c.issue({ kind: 'register', userId: 'u1' }, now);
	expect(c.use(b.bytes, { kind: 'register', userId: 'u2' }, now)).toBe(false);
	// A wrong try uses it up too: nobody gets a second guess with the same challenge.
	expect(c.use(b.bytes, { kind: 'register', userId: 'u1' }, now)).toBe(false);

	const d = c.issue({ kind: 'sign-in', userId: null }, now);
	expect(c.use(d.bytes, { kind: 'sign-in', userId: 'u1' }, now)).toBe(false);
	const e = c.issue({ kind: 'sign-in', userId: null }, now);
	expect(c.use(e.bytes, { kind: 'sign-in', userId: null }, now + limits.auth.twoFactor.challengeLifetimeMs + 1)).toBe(false);
	const f = c.issue({ kind: 'sign-in', userId: null }, now);
	expect(c.use(f.bytes, { kind: 'register', userId: 'u1' }, now)).toBe(false);
	expect(c.use(new Uint8Array(32), { kind: 'sign-in', userId: null }, now)).toBe(false);
});
