/**
 * Runs a retry policy in the browser. The owner reports what happened
 * (`failed`, `succeeded`); this decides when to try next. Two things beat
 * any timer: the browser coming back online and the tab becoming visible
 * again (hidden tabs' timers are throttled, so a waiting retry could be a
 * minute late), and both try at once. While the browser says it is
 * offline, waiting is paused rather than spent on tries that cannot work.
 */
import type { RetryPolicy } from '$shared/retry.ts';

export type RetryState = 'idle' | 'waiting' | 'offline' | 'gave-up';

/** What the runner needs from the page; tests pass their own. */
export interface RetryEnv {
	now(): number;
	online(): boolean;
	/** Calls `fn` when the browser goes online, offline, or the page becomes visible; returns an unsubscribe. */
	watch(fn: (event: 'online' | 'offline' | 'visible') => void): () => void;
}

export const browserEnv: RetryEnv = {
	now: () => Date.now(),
	online: () => typeof navigator === 'undefined' || navigator.onLine !== false,
	watch(fn) {
		if (typeof window === 'undefined') return () => {};
		const online = () => fn('online');
		const offline = () => fn('offline');
		const visible = () => document.visibilityState === 'visible' && fn('visible');
		window.addEventListener('online', online);
		window.addEventListener('offline', offline);
		document.addEventListener('visibilitychange', visible);
		return () => {
			window.removeEventListener('online', online);
			window.removeEventListener('offline', offline);
			document.removeEventListener('visibilitychange', visible);
		};
	}
};

export interface RetryOptions {
	policy: RetryPolicy;
	/** Makes one try; its outcome comes back through `failed` or `succeeded`. */
	attempt: () => void;
	/** The policy stopped: tell the person, offer a button that calls `now`. */
	gaveUp?: () => void;
	env?: RetryEnv;
}

export class Retry {
	private readonly opts: RetryOptions;
	private readonly env: RetryEnv;
	private attempts = 0;
	private since: number | null = null;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private current: RetryState = 'idle';
	private readonly unwatch: () => void;

	constructor(opts: RetryOptions) {
		this.opts = opts;
		this.env = opts.env ?? browserEnv;
		this.unwatch = this.env.watch((event) => {
			if (event === 'offline') this.pause();
			else this.now();
		});
	}

	get state(): RetryState {
		return this.current;
	}

	/** The last try failed (or the connection dropped): schedule the next one. Repeated calls while waiting are one. */
	failed(): void {
		if (this.current !== 'idle') return;
		this.since ??= this.env.now();
		const delay = this.opts.policy.nextDelay(this.attempts, this.env.now() - this.since);
		if (delay === null) {
			this.current = 'gave-up';
			this.opts.gaveUp?.();
			return;
		}
		if (!this.env.online()) {
			this.current = 'offline';
			return;
		}
		this.current = 'waiting';
		this.timer = setTimeout(() => this.fire(), delay);
	}

	/** It works again: the next failure starts a fresh round from the shortest delay. */
	succeeded(): void {
		this.clear();
		this.attempts = 0;
		this.since = null;
		this.current = 'idle';
	}

	/** Tries at once if a try is due (waiting, paused, or given up); otherwise nothing. */
	now(): void {
		if (this.current === 'idle') return;
		if (this.current === 'gave-up') {
			// A person asked, or the network came back: a fresh round.
			this.attempts = 0;
			this.since = null;
		}
		this.fire();
	}

	/** No more tries (refused for good, or closed). */
	cancel(): void {
		this.clear();
		this.current = 'idle';
	}

	destroy(): void {
		this.cancel();
		this.unwatch();
	}

	private pause(): void {
		if (this.current !== 'waiting') return;
		this.clear();
		this.current = 'offline';
	}

	private fire(): void {
		this.clear();
		this.current = 'idle';
		this.attempts++;
		this.opts.attempt();
	}

	private clear(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}
}
