/**
 * When to try again after a connection or request failed: exponential
 * backoff with jitter, a cap, and a point where trying stops. Pure (no DOM,
 * no timers), so the browser's session connection, pad and media client use
 * the same timing, and tests can check it with seeded randomness.
 *
 * The knobs live here rather than in server/config because the browser
 * cannot import server code; each one says why it has its value.
 */

export interface RetryPolicy {
	/**
	 * Milliseconds to wait before the next try, or null to stop trying.
	 * `attempt` counts the failed tries so far (0 for the first retry);
	 * `elapsedMs` is the time since the first failure of this round.
	 */
	nextDelay(attempt: number, elapsedMs: number): number | null;
}

/**
 * - `full`: uniform between `floorMs` and the exponential ceiling. Spreads
 *   a crowd best (everyone reconnecting after a server restart).
 * - `decorrelated`: uniform between `firstMs` and three times the previous
 *   delay; grows less regularly than `full` and never falls back to tiny
 *   delays once it has grown.
 * - `none`: the ceiling itself (only for tests and single clients).
 */
export type Jitter = 'full' | 'decorrelated' | 'none';

export interface BackoffKnobs {
	/** The first retry's ceiling. */
	firstMs: number;
	/** No delay is longer than this. */
	maxMs: number;
	/** Growth of the ceiling per failed try. */
	factor: number;
	jitter: Jitter;
	/** No delay is shorter than this (full jitter could otherwise pick 0 ms). */
	floorMs?: number;
	/** Stop after this many failed tries. */
	maxAttempts?: number;
	/** Stop once the round has lasted this long. */
	giveUpAfterMs?: number;
}

/** A number in [0, 1): Math.random in the browser, a seeded generator in tests. */
export type Random = () => number;

/**
 * A policy from knobs. It keeps the previous delay (for decorrelated
 * jitter), so each retrying thing needs its own instance; attempt 0 starts
 * a fresh round.
 */
export function backoff(knobs: BackoffKnobs, random: Random = Math.random): RetryPolicy {
	const floor = Math.min(knobs.floorMs ?? 0, knobs.maxMs);
	let previous = knobs.firstMs;
	return {
		nextDelay(attempt, elapsedMs) {
			if (knobs.maxAttempts !== undefined && attempt >= knobs.maxAttempts) return null;
			if (knobs.giveUpAfterMs !== undefined && elapsedMs >= knobs.giveUpAfterMs) return null;
			if (attempt === 0) previous = knobs.firstMs;
			const ceiling = Math.min(knobs.maxMs, knobs.firstMs * knobs.factor ** attempt);
			let delay: number;
			if (knobs.jitter === 'none') delay = ceiling;
			else if (knobs.jitter === 'full') delay = floor + random() * (ceiling - floor);
			else delay = Math.min(knobs.maxMs, knobs.firstMs + random() * (previous * 3 - knobs.firstMs));
			delay = Math.round(Math.max(floor, Math.min(knobs.maxMs, delay)));
			previous = Math.max(delay, knobs.firstMs);
			// Never wait past the point of giving up: the last try comes just before it.
			if (knobs.giveUpAfterMs !== undefined) delay = Math.min(delay, knobs.giveUpAfterMs - elapsedMs);
			return delay;
		}
	};
}

/** Every retry in the browser, by what is retrying. */
export const retryKnobs = {
	/**
	 * The session's socket.io connection. After a server restart the call
	 * must be back within seconds (a refused websocket attempt every 2 s
	 * costs nothing), and a crowd of tabs must not come back in one burst:
	 * full jitter between 250 ms and a ceiling that reaches 2 s. It never
	 * gives up: a coaching session page is worth keeping alive through a
	 * long outage, and going offline pauses it anyway.
	 */
	session: { firstMs: 500, maxMs: 2000, factor: 2, jitter: 'full', floorMs: 250 },
	/**
	 * The pad's y-websocket connection: edits stay in the browser meanwhile,
	 * so a few seconds are fine, but not the stock provider's fixed
	 * doubling without jitter. Decorrelated jitter from 200 ms up to 4 s.
	 */
	pad: { firstMs: 200, maxMs: 4000, factor: 2, jitter: 'decorrelated' },
	/**
	 * Setting up the call again after a failed step (while the socket is
	 * up: a server-side hiccup, a worker moving). Starts at about a second,
	 * as the old fixed retry did, grows to 10 s, and stops after 2 minutes
	 * with words and a "Try again" button instead of retrying forever
	 * against a server that keeps failing.
	 */
	media: { firstMs: 1000, maxMs: 10_000, factor: 2, jitter: 'full', floorMs: 500, giveUpAfterMs: 120_000 },
	/**
	 * Restarting ICE on a transport whose media path broke while the socket
	 * stayed up (new network, NAT rebinding). The first restart waits the
	 * grace time a `disconnected` transport gets to recover by itself; if the
	 * path stays broken, restarts repeat up to every 10 s.
	 */
	iceRestart: { firstMs: 1500, maxMs: 10_000, factor: 2, jitter: 'full', floorMs: 1000 }
} as const satisfies Record<string, BackoffKnobs>;
