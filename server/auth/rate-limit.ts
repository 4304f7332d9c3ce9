/**
 * Fixed-window counter per key. Kept in memory: it guards one process; with
 * several instances it would move behind the same registry as live rooms.
 */
export class RateLimiter {
	private readonly hits = new Map<string, { count: number; resetAt: number }>();
	private readonly max: number;
	private readonly windowMs: number;

	constructor(max: number, windowMs: number) {
		this.max = max;
		this.windowMs = windowMs;
	}

	/** Milliseconds to wait if the key is over its budget, else 0. */
	retryAfter(key: string, now = Date.now()): number {
		const h = this.hits.get(key);
		if (!h || h.resetAt <= now) return 0;
		return h.count >= this.max ? h.resetAt - now : 0;
	}

	hit(key: string, now = Date.now()): void {
		const h = this.hits.get(key);
		if (!h || h.resetAt <= now) {
			this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
			if (this.hits.size > 10_000) this.sweep(now);
		} else h.count++;
	}

	reset(key: string): void {
		this.hits.delete(key);
	}

	private sweep(now: number) {
		for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
	}
}
