/**
 * Watches the event loop. Any synchronous stretch blocks every person on the
 * server at once (pages, sockets, pads), so a stall over
 * `limits.health.eventLoopStallMs` is logged with what was running: features
 * wrap their potentially heavy synchronous work in `running(label, fn)`, and
 * the longest labelled stretch since the last check is named in the log.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';

export interface Activity {
	label: string;
	ms: number;
	detail?: Record<string, unknown>;
}

let longest: Activity | null = null;

/** Runs `fn` synchronously, remembering it if it is the longest stretch since the last check. */
export function running<T>(label: string, fn: () => T, detail?: Record<string, unknown>): T {
	const started = performance.now();
	try {
		return fn();
	} finally {
		const ms = performance.now() - started;
		if (!longest || ms > longest.ms) longest = { label, ms, ...(detail ? { detail } : {}) };
	}
}

/** The longest labelled stretch since the last call, and forgets it. */
function takeLongest(): Activity | null {
	const a = longest;
	longest = null;
	return a;
}

export interface EventLoopWatch {
	/** Delay percentiles since start, in milliseconds. */
	stats(): { p50: number; p99: number; max: number };
	stop(): void;
}

/**
 * Checks the loop every `checkMs`: a timer that fires late by more than the
 * stall threshold means the loop was blocked that long.
 */
export function watchEventLoop(log: Logger, opts: { stallMs?: number; checkMs?: number } = {}): EventLoopWatch {
	const stallMs = opts.stallMs ?? limits.health.eventLoopStallMs;
	const checkMs = opts.checkMs ?? limits.health.eventLoopCheckMs;
	const histogram = monitorEventLoopDelay({ resolution: 10 });
	histogram.enable();
	let expected = performance.now() + checkMs;
	const timer = setInterval(() => {
		const now = performance.now();
		const late = now - expected;
		expected = now + checkMs;
		const activity = takeLongest();
		if (late < stallMs) return;
		log.warn(
			{ stalledMs: Math.round(late), running: activity ? { ...activity, ms: Math.round(activity.ms) } : 'nothing labelled' },
			'the event loop was blocked; every request waited meanwhile'
		);
	}, checkMs);
	timer.unref();
	const ms = (ns: number) => Math.round(ns / 1e5) / 10;
	return {
		stats: () => ({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }),
		stop() {
			clearInterval(timer);
			histogram.disable();
		}
	};
}
