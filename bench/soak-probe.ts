// Loaded into the server under soak (`node --import bench/soak-probe.ts
// server/main.ts`, by bench/soak.ts): every SOAK_SAMPLE_MS the server's own
// RSS, heap (after a full collection) and memory outside the heap
// (buffers), and event-loop delay since the last sample (p50, p99, max, from
// perf_hooks) are appended as one JSON line to SOAK_PROBE_FILE. Measured on
// the server's own loop, so the load generator's work does not count.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_PROBE_FILE;
const everyMs = Number(process.env.SOAK_SAMPLE_MS ?? 60_000);
// --import reaches the server's worker threads too (render, strength, checkpoint): only the event loop's thread samples.
if (file && isMainThread) {
	const RESOLUTION_MS = 10;
	const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
	delay.enable();
	const timer = setInterval(() => {
		// The histogram holds the time between its timer's turns; the delay is what exceeds the timer's period.
		const ms = (ns: number) => Math.max(0, Math.round(ns / 1e4) / 100 - RESOLUTION_MS);
		const loop = { loopP50Ms: ms(delay.percentile(50)), loopP99Ms: ms(delay.percentile(99)), loopMaxMs: ms(delay.max) };
		// A full collection (the soak starts the server with --expose-gc), so heap used is what is still held, not garbage
		// not yet collected; the histogram is off meanwhile, so the pause this probe causes is not counted as the server's.
		delay.disable();
		(globalThis as { gc?: () => void }).gc?.();
		const m = process.memoryUsage();
		const sample = { at: Date.now(), rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20, externalMb: m.external / 2 ** 20, ...loop };
		fs.appendFileSync(file, JSON.stringify(sample) + '\n');
		delay.reset();
		delay.enable();
	}, everyMs);
	timer.unref();
}
