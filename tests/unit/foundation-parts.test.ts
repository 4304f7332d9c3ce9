import { describe, expect, it, vi } from 'vitest';
import { loadConfig, ConfigError } from '../../server/config/index.ts';
import { RateLimiter } from '../../server/auth/rate-limit.ts';
import { generateToken, hashToken } from '../../server/auth/tokens.ts';
import { readSessionCookie, sessionCookie, sessionCookieName } from '../../server/auth/cookies.ts';
import { PresenceRegistry } from '../../server/rooms/presence.ts';
import { originAllowed } from '../../server/http/origin.ts';
import { engagementForm, signUpForm, scheduleSessionForm } from '../../shared/forms/index.ts';

describe('configuration', () => {
	it('has working defaults', () => {
		const c = loadConfig({});
		expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', origin: undefined, databaseUrl: undefined, secureCookies: false });
	});
	it('names every bad variable', () => {
		expect(() => loadConfig({ PORT: '99999', ORIGIN: 'ftp://x', ICE_SERVERS: 'nope' })).toThrow(ConfigError);
		try {
			loadConfig({ PORT: '99999', ORIGIN: 'ftp://x', ICE_SERVERS: 'nope' });
		} catch (e) {
			expect((e as Error).message).toMatch(/PORT/);
			expect((e as Error).message).toMatch(/ORIGIN/);
			expect((e as Error).message).toMatch(/ICE_SERVERS: must be a JSON array/);
		}
	});
	it('uses secure __Host- cookies behind an https origin', () => {
		const c = loadConfig({ ORIGIN: 'https://coach.example.org/' });
		expect(c.origin).toBe('https://coach.example.org');
		expect(c.secureCookies).toBe(true);
		expect(sessionCookieName(true)).toBe('__Host-confidante_session');
	});
});

describe('session tokens', () => {
	it('carry 160 random bits and are stored only as a hash', () => {
		const a = generateToken();
		expect(a).toMatch(/^[a-z2-7]{32}$/);
		expect(generateToken()).not.toBe(a);
		expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
		expect(hashToken(a)).not.toContain(a);
	});
	it('round-trip through the cookie header', () => {
		const c = sessionCookie('abc', Date.now() + 1000, false);
		expect(c.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', secure: false });
		expect(readSessionCookie('x=1; confidante_session=abc; y=2', false)).toBe('abc');
		expect(readSessionCookie('confidante_session=abc', true)).toBeUndefined();
		expect(readSessionCookie(undefined, false)).toBeUndefined();
	});
});

describe('rate limiter', () => {
	it('allows the budget per window, then asks to wait, then forgets', () => {
		const rl = new RateLimiter(2, 1000);
		rl.hit('k', 0);
		rl.hit('k', 10);
		expect(rl.retryAfter('k', 20)).toBe(980);
		expect(rl.retryAfter('other', 20)).toBe(0);
		expect(rl.retryAfter('k', 1000)).toBe(0);
		rl.reset('k');
		expect(rl.retryAfter('k', 30)).toBe(0);
	});
});

describe('presence', () => {
	it('shows a dropped person as reconnecting, then gone after the grace period', () => {
		vi.useFakeTimers();
		const reg = new PresenceRegistry();
		const gone = vi.fn();
		expect(reg.join('s1', { userId: 'u1', name: 'Sam', role: 'coachee' }, 'sock1')).toBe(true);
		expect(reg.join('s1', { userId: 'u1', name: 'Sam', role: 'coachee' }, 'sock2')).toBe(false);
		expect(reg.drop('s1', 'u1', 'sock1', 1000, gone)).toBe('still-here');
		expect(reg.drop('s1', 'u1', 'sock2', 1000, gone)).toBe('reconnecting');
		expect(reg.participants('s1')).toEqual([{ userId: 'u1', name: 'Sam', role: 'coachee', presence: 'reconnecting' }]);
		vi.advanceTimersByTime(999);
		expect(gone).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(gone).toHaveBeenCalledOnce();
		expect(reg.isEmpty('s1')).toBe(true);
		vi.useRealTimers();
	});
	it('keeps a person who comes back within the grace period', () => {
		vi.useFakeTimers();
		const reg = new PresenceRegistry();
		const gone = vi.fn();
		reg.join('s1', { userId: 'u1', name: 'Sam', role: 'coachee' }, 'a');
		reg.drop('s1', 'u1', 'a', 1000, gone);
		reg.join('s1', { userId: 'u1', name: 'Sam', role: 'coachee' }, 'b');
		vi.advanceTimersByTime(5000);
		expect(gone).not.toHaveBeenCalled();
		expect(reg.participants('s1')[0]?.presence).toBe('online');
		vi.useRealTimers();
	});
});

describe('origin check', () => {
	const req = (origin: string | undefined, host = 'localhost:3000') => ({ headers: { origin, host } });
	it('accepts same-host browsers and non-browser clients, refuses other sites', () => {
		expect(originAllowed(req('http://localhost:3000'), undefined)).toBe(true);
		expect(originAllowed(req(undefined), undefined)).toBe(true);
		expect(originAllowed(req('http://evil.example'), undefined)).toBe(false);
		expect(originAllowed(req('not a url'), undefined)).toBe(false);
		expect(originAllowed(req('https://coach.example.org'), 'https://coach.example.org')).toBe(true);
		expect(originAllowed(req('http://localhost:3000'), 'https://coach.example.org')).toBe(false);
	});
});

describe('forms', () => {
	it('normalise email and explain weak passwords', () => {
		const ok = signUpForm.safeParse({ name: ' Sam ', email: ' SAM@Example.org ', password: 'a good long password' });
		expect(ok.success && ok.data).toMatchObject({ name: 'Sam', email: 'sam@example.org' });
		const rep = signUpForm.safeParse({ name: 'Sam', email: 'sam@example.org', password: 'aaaaaaaaaaaa' });
		expect(rep.success).toBe(false);
		expect(rep.error?.issues[0]?.message).toBe('Use a less repetitive password.');
	});
	it('accept an engagement with optional number of sessions and frequency', () => {
		const r = engagementForm.parse({ kind: 'mentoring', title: 'Growing as a mentor', goals: '', plannedSessions: '', frequency: '' });
		expect(r).toMatchObject({ kind: 'mentoring', plannedSessions: null, frequency: null });
		expect(engagementForm.safeParse({ kind: 'therapy', title: 'x' }).success).toBe(false);
	});
	it('require an instant with an offset for a session', () => {
		expect(scheduleSessionForm.safeParse({ scheduledAt: '2026-12-01T10:00', durationMinutes: '60' }).success).toBe(false);
		expect(scheduleSessionForm.safeParse({ scheduledAt: '2026-12-01T10:00:00+01:00', durationMinutes: '60' }).success).toBe(true);
		expect(scheduleSessionForm.safeParse({ scheduledAt: '2026-12-01T10:00:00Z', durationMinutes: '5' }).success).toBe(false);
	});
});
