/**
 * The pure parts of accounts: the redirect predicate followed after sign-in
 * and sign-up, the password strength check, the registry of live
 * connections per sign-in session, device names.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { isSameOriginPath, safeNext } from '../../shared/accounts/next-path.ts';
import { weakPasswordMessage } from '../../server/auth/strength.ts';
import { LiveConnections } from '../../server/auth/live.ts';
import { limits } from '../../server/config/index.ts';
import { describeDevice } from '../../server/auth/user-agent.ts';

describe('isSameOriginPath', () => {
	it.each([
		['/\\evil.example', 'a backslash after the slash (%5C decoded)'],
		['/\\\\evil.example', 'two backslashes'],
		['/\t/evil.example', 'a tab after the slash'],
		['/\n/evil.example', 'a line break after the slash'],
		['/\r/evil.example', 'a carriage return'],
		['//evil.example', 'a protocol-relative URL'],
		['///evil.example', 'three slashes'],
		['https://evil.example', 'an absolute URL'],
		['javascript:alert(1)', 'a script URL'],
		['evil.example', 'no leading slash'],
		['', 'nothing'],
		['/ok\\..\\..\\evil', 'a backslash further on'],
		['/' + 'a'.repeat(2001), 'too long']
	])('refuses %j (%s)', (next) => {
		expect(isSameOriginPath(next)).toBe(false);
		expect(safeNext(next)).toBe('/');
	});

	it.each(['/', '/engagements/abc', '/invite/k3j2?x=1#top', '/sessions/s1/summary', '/a%5Cb'])('keeps %j', (next) => {
		expect(isSameOriginPath(next)).toBe(true);
		expect(safeNext(next)).toBe(next);
	});

	test.prop([fc.string({ maxLength: 60 })])('whatever it keeps resolves to this origin, also the way browsers read backslashes', (s) => {
		const next = safeNext(s);
		const base = 'https://app.example';
		expect(new URL(next, base).origin).toBe(base);
		// Browsers treat \ as / and drop tabs and line breaks: even then it stays here.
		const asBrowsersRead = next.replace(/\\/g, '/').replace(/[\t\n\r]/g, '');
		expect(new URL(asBrowsersRead, base).origin).toBe(base);
	});
});

describe('password strength', () => {
	// The worker loads its dictionaries first (seconds on a busy machine).
	beforeAll(() => weakPasswordMessage('warm up the checker'), 30_000);
	it.each(['1234567890', 'password123', 'qwertyuiop', 'iloveyou12', 'letmein2024'])('refuses %j with the library’s feedback', async (p) => {
		const message = await weakPasswordMessage(p);
		expect(message).toMatch(/common|frequently|guess/i);
	});

	it('counts the person’s own name and email as guessable', async () => {
		expect(await weakPasswordMessage('quillonbrantworth', [])).toBeNull();
		expect(await weakPasswordMessage('quillonbrantworth', ['Quillon Brantworth', 'q.brantworth@example.org'])).not.toBeNull();
	});

	it.each(['correct horse battery', 'a sturdy passphrase 42', 'another good password'])('accepts %j', async (p) => {
		expect(await weakPasswordMessage(p)).toBeNull();
	});
});

describe('LiveConnections', () => {
	it('closes every connection of an ended session and nothing else', () => {
		const live = new LiveConnections();
		const closed: string[] = [];
		live.register('s1', () => closed.push('socket of s1'));
		const unregister = live.register('s1', () => closed.push('pad of s1'));
		live.register('s2', () => closed.push('socket of s2'));
		unregister(); // that pad closed by itself
		expect(live.closeSessions(['s1'])).toBe(1);
		expect(closed).toEqual(['socket of s1']);
		expect(live.count('s1')).toBe(0);
		expect(live.count('s2')).toBe(1);
		expect(live.closeSessions(['s1'])).toBe(0);
	});

	it('keeps closing the others when one close throws', () => {
		const live = new LiveConnections();
		let closed = 0;
		live.register('s', () => {
			throw new Error('already gone');
		});
		live.register('s', () => closed++);
		expect(live.closeSessions(['s'])).toBe(2);
		expect(closed).toBe(1);
	});

	describe('re-checking sessions (expiry, revocation elsewhere)', () => {
		beforeEach(() => vi.useFakeTimers());
		afterEach(() => vi.useRealTimers());

		it('closes a session at its expiry, long before the periodic check, and keeps the valid one', async () => {
			// Expires 5 s after the first periodic check, which learns when.
			const expiry = new Map([['soon', Date.now() + limits.auth.liveCheckMs + 5_000], ['later', Date.now() + 3_600_000]]);
			const live = new LiveConnections();
			const asked: string[][] = [];
			live.watch(async (ids) => (asked.push(ids), new Map(ids.filter((id) => (expiry.get(id) ?? 0) > Date.now()).map((id) => [id, expiry.get(id)!]))), () => {});
			const closed: string[] = [];
			live.register('soon', () => closed.push('soon'));
			live.register('later', () => closed.push('later'));
			await vi.advanceTimersByTimeAsync(limits.auth.liveCheckMs); // the first check learns the expiries
			expect(closed).toEqual([]);
			await vi.advanceTimersByTimeAsync(5_100); // not the next periodic check, another 15 s away
			expect(closed).toEqual(['soon']);
			expect(live.count('later')).toBe(1);
			await vi.advanceTimersByTimeAsync(limits.auth.liveCheckMs);
			expect(asked.at(-1)).toEqual(['later']); // a closed session is not asked about again
			expect(closed).toEqual(['soon']);
			live.stop();
		});

		it('closes a session another instance ended within one periodic check; a failed check keeps the connections and tries again', async () => {
			let valid = true;
			let failing = true;
			const errors: unknown[] = [];
			const live = new LiveConnections();
			live.watch(async (ids) => {
				if (failing) throw new Error('database down');
				return new Map(valid ? ids.map((id) => [id, Date.now() + 3_600_000]) : []);
			}, (err) => errors.push(err));
			let closed = 0;
			live.register('s', () => closed++);
			await vi.advanceTimersByTimeAsync(limits.auth.liveCheckMs);
			expect(errors).toHaveLength(1);
			expect(closed).toBe(0);
			failing = false;
			valid = false; // signed out through another instance meanwhile
			await vi.advanceTimersByTimeAsync(limits.auth.liveCheckMs);
			expect(closed).toBe(1);
			live.stop();
		});

		it('asks nothing while no connection is open', async () => {
			let asked = 0;
			const live = new LiveConnections();
			live.watch(async () => (asked++, new Map()), () => {});
			await vi.advanceTimersByTimeAsync(limits.auth.liveCheckMs * 3);
			expect(asked).toBe(0);
			live.stop();
		});
	});
});

it('names devices from their browser', () => {
	expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36')).toBe('Chrome on Windows');
	expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
	expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0')).toBe('Firefox on Linux');
	expect(describeDevice('')).toBe('Unknown device');
});
