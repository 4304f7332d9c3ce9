import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { running, watchEventLoop } from '../../server/health/index.ts';

function capture() {
	const lines: Record<string, unknown>[] = [];
	const stream = new Writable({
		write(chunk: Buffer, _enc, done) {
			lines.push(JSON.parse(chunk.toString()));
			done();
		}
	});
	return { log: pino({ level: 'warn' }, stream), lines };
}

const blockFor = (ms: number) => {
	const until = Date.now() + ms;
	while (Date.now() < until);
};

describe('event-loop watch', () => {
	it('logs a stall over the threshold with the labelled work that caused it', async () => {
		const { log, lines } = capture();
		const watch = watchEventLoop(log, { stallMs: 100, checkMs: 20 });
		await new Promise((r) => setTimeout(r, 50));
		running('summary render', () => blockFor(180), { session: 's1' });
		await new Promise((r) => setTimeout(r, 80));
		watch.stop();
		const stall = lines.find((l) => typeof l.stalledMs === 'number');
		expect(stall, JSON.stringify(lines)).toBeDefined();
		expect(stall!.stalledMs).toBeGreaterThanOrEqual(100);
		expect(stall!.running).toMatchObject({ label: 'summary render', detail: { session: 's1' } });
	});

	it('stays quiet while the loop keeps up', async () => {
		const { log, lines } = capture();
		// A generous threshold: other processes on a busy machine can delay a timer by tens of ms.
		const watch = watchEventLoop(log, { stallMs: 1000, checkMs: 20 });
		for (let i = 0; i < 5; i++) {
			running('small', () => blockFor(5));
			await new Promise((r) => setTimeout(r, 20));
		}
		watch.stop();
		expect(lines.filter((l) => typeof l.stalledMs === 'number')).toEqual([]);
		expect(watch.stats().max).toBeGreaterThan(0);
	});
});
