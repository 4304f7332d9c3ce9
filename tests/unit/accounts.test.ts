/**
 * The pure parts of accounts: the redirect predicate followed after sign-in
 * and sign-up, the password strength check, the registry of live
 * connections per sign-in session, device names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { isSameOriginPath, safeNext } from '../../shared/accounts/next-path.ts';
import { weakPasswordMessage } from '../../server/auth/strength.ts';
import { LiveConnections } from '../../server/auth/live.ts';
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
});

it('names devices from their browser', () => {
	expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36')).toBe('Chrome on Windows');
	expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
	expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0')).toBe('Firefox on Linux');
	expect(describeDevice('')).toBe('Unknown device');
});
