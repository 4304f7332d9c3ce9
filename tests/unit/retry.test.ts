/**
 * The one retry policy (shared/retry.ts) with seeded randomness: delays stay
 * inside their jitter bounds, grow to the cap and stop where they should;
 * and the browser's runner (web/src/lib/retry.ts) retries at once when the
 * browser comes back online or the tab becomes visible, and waits while
 * offline; a transport whose media path broke gets ICE restarts until it
 * connects again.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoff, retryKnobs, type BackoffKnobs } from '../../shared/retry.ts';
import { Retry, type RetryEnv } from '../../web/src/lib/retry.ts';
import { watchIce } from '../../web/src/lib/room/transports.ts';

/** Mulberry32: a small seeded generator, so a failing seed can be replayed. */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Delays for attempts 0..n-1 of one round, with no time passing between them. */
function delays(knobs: BackoffKnobs, n: number, seed = 1): Array<number | null> {
	const policy = backoff(knobs, seeded(seed));
	return Array.from({ length: n }, (_, i) => policy.nextDelay(i, 0));
}

describe('backoff policy', () => {
	it('without jitter doubles from the first delay up to the cap', () => {
		expect(delays({ firstMs: 100, maxMs: 1000, factor: 2, jitter: 'none' }, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
	});

	it('full jitter stays between the floor and the exponential ceiling, and uses the whole range', () => {
		const knobs: BackoffKnobs = { firstMs: 500, maxMs: 2000, factor: 2, jitter: 'full', floorMs: 250 };
		const seen: number[][] = [[], [], [], [], []];
		for (let seed = 1; seed <= 300; seed++) {
			delays(knobs, 5, seed).forEach((d, i) => seen[i]!.push(d!));
		}
		const ceilings = [500, 1000, 2000, 2000, 2000];
		seen.forEach((ds, i) => {
			expect(Math.min(...ds)).toBeGreaterThanOrEqual(250);
			expect(Math.max(...ds)).toBeLessThanOrEqual(ceilings[i]!);
			// Spread, not one value: the lowest and highest tenth of the range both occur.
			const span = ceilings[i]! - 250;
			expect(Math.min(...ds)).toBeLessThan(250 + span / 10);
			expect(Math.max(...ds)).toBeGreaterThan(ceilings[i]! - span / 10);
		});
	});

	it('decorrelated jitter stays between the first delay and three times the previous one, under the cap', () => {
		const knobs: BackoffKnobs = { firstMs: 200, maxMs: 4000, factor: 2, jitter: 'decorrelated' };
		for (let seed = 1; seed <= 300; seed++) {
			const ds = delays(knobs, 12, seed) as number[];
			let previous = 200;
			for (const d of ds) {
				expect(d).toBeGreaterThanOrEqual(200);
				expect(d).toBeLessThanOrEqual(Math.min(4000, previous * 3));
				previous = d;
			}
		}
		// It does reach the cap region after a dozen failures for most seeds.
		const last = Array.from({ length: 100 }, (_, s) => delays(knobs, 12, s + 1)[11] as number);
		expect(last.filter((d) => d > 2000).length).toBeGreaterThan(50);
	});

	it('a new round (attempt 0) starts again from the shortest delays', () => {
		const policy = backoff({ firstMs: 200, maxMs: 4000, factor: 2, jitter: 'decorrelated' }, seeded(7));
		for (let i = 0; i < 10; i++) policy.nextDelay(i, 0);
		expect(policy.nextDelay(0, 0)).toBeLessThanOrEqual(600);
	});

	it('is the same for the same seed', () => {
		expect(delays(retryKnobs.session, 8, 42)).toEqual(delays(retryKnobs.session, 8, 42));
		expect(delays(retryKnobs.session, 8, 42)).not.toEqual(delays(retryKnobs.session, 8, 43));
	});

	it('stops after the attempts allowed', () => {
		const ds = delays({ firstMs: 100, maxMs: 1000, factor: 2, jitter: 'none', maxAttempts: 3 }, 5);
		expect(ds).toEqual([100, 200, 400, null, null]);
	});

	it('stops once the round has lasted too long, and never waits past that point', () => {
		const policy = backoff(retryKnobs.media, seeded(3));
		expect(policy.nextDelay(5, 119_800)).toBeLessThanOrEqual(200);
		expect(policy.nextDelay(6, 120_000)).toBeNull();
		expect(policy.nextDelay(0, 0)).not.toBeNull();
	});

	it('every knob set keeps the floor under the first delay and the first under the cap', () => {
		for (const [name, k] of Object.entries(retryKnobs) as Array<[string, BackoffKnobs]>) {
			expect(k.floorMs ?? 0, name).toBeLessThanOrEqual(k.firstMs);
			expect(k.firstMs, name).toBeLessThanOrEqual(k.maxMs);
			expect(k.factor, name).toBeGreaterThan(1);
		}
	});
});

/** A page whose online/visibility events the test fires by hand. */
function fakePage(online = true) {
	let listener: ((e: 'online' | 'offline' | 'visible') => void) | null = null;
	const state = { online };
	const page = {
		env: {
			now: () => Date.now(),
			online: () => state.online,
			watch(fn) {
				listener = fn;
				return () => (listener = null);
			}
		} satisfies RetryEnv,
		fire(e: 'online' | 'offline' | 'visible') {
			if (e === 'online') state.online = true;
			if (e === 'offline') state.online = false;
			listener?.(e);
		},
		get watched() {
			return listener !== null;
		}
	};
	return page;
}

describe('browser retry runner', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());
	const fixed: BackoffKnobs = { firstMs: 1000, maxMs: 8000, factor: 2, jitter: 'none' };

	it('tries after the policy delay, growing until it succeeds, then starts from the first delay again', () => {
		const page = fakePage();
		const tries: number[] = [];
		const start = Date.now();
		const retry = new Retry({ policy: backoff(fixed), attempt: () => tries.push(Date.now() - start), env: page.env });
		retry.failed();
		retry.failed(); // a second report of the same failure is not a second retry
		vi.advanceTimersByTime(999);
		expect(tries).toEqual([]);
		vi.advanceTimersByTime(1);
		retry.failed();
		vi.advanceTimersByTime(2000);
		retry.failed();
		vi.advanceTimersByTime(4000);
		expect(tries).toEqual([1000, 3000, 7000]);
		retry.succeeded();
		retry.failed();
		vi.advanceTimersByTime(1000);
		expect(tries).toEqual([1000, 3000, 7000, 8000]);
	});

	it('tries at once when the browser comes back online or the tab becomes visible', () => {
		const page = fakePage();
		let tries = 0;
		const retry = new Retry({ policy: backoff(fixed), attempt: () => tries++, env: page.env });
		retry.failed();
		page.fire('visible');
		expect(tries).toBe(1);
		retry.failed();
		page.fire('online');
		expect(tries).toBe(2);
		// Nothing due: those events do not cause a try.
		page.fire('visible');
		page.fire('online');
		expect(tries).toBe(2);
		// The timer of the try that already happened does not fire again.
		vi.advanceTimersByTime(60_000);
		expect(tries).toBe(2);
	});

	it('waits while offline instead of trying, and tries as soon as the browser is online', () => {
		const page = fakePage();
		let tries = 0;
		const retry = new Retry({ policy: backoff(fixed), attempt: () => tries++, env: page.env });
		retry.failed();
		page.fire('offline');
		expect(retry.state).toBe('offline');
		vi.advanceTimersByTime(60_000);
		expect(tries).toBe(0);
		page.fire('online');
		expect(tries).toBe(1);
		// Failing while already offline waits for the network too.
		page.fire('offline');
		retry.failed();
		vi.advanceTimersByTime(60_000);
		expect(tries).toBe(1);
		page.fire('online');
		expect(tries).toBe(2);
	});

	it('gives up when the policy stops, says so once, and a person (or the network) can start a fresh round', () => {
		const page = fakePage();
		let tries = 0;
		let gaveUp = 0;
		const retry = new Retry({ policy: backoff({ ...fixed, maxAttempts: 2 }), attempt: () => tries++, gaveUp: () => gaveUp++, env: page.env });
		for (let i = 0; i < 3; i++) {
			retry.failed();
			vi.advanceTimersByTime(10_000);
		}
		retry.failed();
		expect([tries, gaveUp, retry.state]).toEqual([2, 1, 'gave-up']);
		retry.now();
		expect(tries).toBe(3);
		// The fresh round's first try was that one; the next waits the second delay.
		retry.failed();
		vi.advanceTimersByTime(1999);
		expect(tries).toBe(3);
		vi.advanceTimersByTime(1);
		expect(tries).toBe(4);
	});

	it('cancel stops a pending try and destroy stops listening', () => {
		const page = fakePage();
		let tries = 0;
		const retry = new Retry({ policy: backoff(fixed), attempt: () => tries++, env: page.env });
		retry.failed();
		retry.cancel();
		vi.advanceTimersByTime(10_000);
		page.fire('online');
		expect(tries).toBe(0);
		retry.destroy();
		expect(page.watched).toBe(false);
	});
});

describe('ICE restarts on a broken transport', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	/** Stands in for a mediasoup-client transport: only its state events, state and close matter here. */
	function brokenTransport() {
		const events = new EventEmitter();
		const observer = new EventEmitter();
		const t = { closed: false, connectionState: 'new', on: events.on.bind(events), observer };
		const set = (state: string) => {
			t.connectionState = state;
			events.emit('connectionstatechange', state);
		};
		const restarts: number[] = [];
		const start = Date.now();
		watchIce(t as unknown as Parameters<typeof watchIce>[0], 'send', { sessionId: 's1', iceServers: undefined, request: async () => undefined as never, recover: () => restarts.push(Date.now() - start) });
		return { t, set, restarts, close: () => ((t.closed = true), observer.emit('close')) };
	}

	it('a disconnected transport gets a grace time, then restarts repeat on growing delays while it stays broken', () => {
		const { set, restarts } = brokenTransport();
		set('connected');
		set('disconnected');
		vi.advanceTimersByTime(999);
		expect(restarts).toEqual([]);
		vi.advanceTimersByTime(60_000);
		expect(restarts.length).toBeGreaterThanOrEqual(5);
		expect(restarts[0]).toBeLessThanOrEqual(1500);
		const gaps = restarts.slice(1).map((t, i) => t - restarts[i]!);
		for (const g of gaps) expect(g).toBeGreaterThanOrEqual(1000);
		for (const g of gaps) expect(g).toBeLessThanOrEqual(10_000);
	});

	it('a failed transport restarts at once; connecting or closing ends the restarts', () => {
		const a = brokenTransport();
		a.set('failed');
		expect(a.restarts).toEqual([0]);
		a.set('connected');
		vi.advanceTimersByTime(60_000);
		expect(a.restarts).toEqual([0]);

		const b = brokenTransport();
		b.set('disconnected');
		b.close();
		vi.advanceTimersByTime(60_000);
		expect(b.restarts).toEqual([]);
	});
});
