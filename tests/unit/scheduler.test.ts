/** The scheduler with a controlled clock: runs a job once when due, retries with backoff, takes over a dead claim after its lease. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../server/store/index.ts';
import { backoffMs, createScheduler } from '../../server/scheduler/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { limits } from '../../server/config/index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-scheduler-'));
const store = await openStore({ dataDir: dir });
afterAll(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

let now = Date.parse('2027-01-04T09:00:00Z');
const clock = () => now;
const scheduler = (kind: string, handler: () => Promise<void>) => {
	const s = createScheduler({ db: store.db, dialect: store.dialect, log: createLogger('silent'), clock });
	s.register(kind, handler);
	return s;
};

it('runs a job once, when it is due and not before; scheduling it again keeps one', async () => {
	let runs = 0;
	const s = scheduler('ping', async () => void runs++);
	await s.enqueue(store.db, [{ kind: 'ping', subject: 'a', runAt: now + 60_000 }]);
	await s.enqueue(store.db, [{ kind: 'ping', subject: 'a', runAt: now + 60_000 }]);
	expect(await s.runDue()).toBe(0);
	now += 60_000;
	expect(await s.runDue()).toBe(1);
	expect(await s.runDue()).toBe(0);
	// A second process on the same store finds nothing left to do.
	expect(await scheduler('ping', async () => void runs++).runDue()).toBe(0);
	expect(runs).toBe(1);
	await s.enqueue(store.db, [{ kind: 'ping', subject: 'a', runAt: now }]);
	expect(await s.runDue()).toBe(0);
});

it('retries a failing job with backoff, then records it as failed', async () => {
	let calls = 0;
	const s = scheduler('flaky', async () => {
		calls++;
		if (calls < 3) throw new Error('mail server down');
	});
	await s.enqueue(store.db, [{ kind: 'flaky', subject: 'b', runAt: now }]);
	expect(await s.runDue()).toBe(1);
	expect(await s.runDue()).toBe(0);
	now += backoffMs(1);
	expect(await s.runDue()).toBe(1);
	now += backoffMs(2);
	expect(await s.runDue()).toBe(1);
	expect(calls).toBe(3);
	const row = await store.db.selectFrom('scheduled_jobs').selectAll().where('subject', '=', 'b').executeTakeFirstOrThrow();
	expect(row).toMatchObject({ state: 'done', attempts: 3 });

	const never = scheduler('broken', async () => {
		throw new Error('always');
	});
	await never.enqueue(store.db, [{ kind: 'broken', subject: 'c', runAt: now }]);
	for (let i = 0; i < limits.scheduler.maxAttempts; i++) {
		await never.runDue();
		now += limits.scheduler.retryMaxMs;
	}
	expect(await store.db.selectFrom('scheduled_jobs').select(['state', 'last_error']).where('subject', '=', 'c').executeTakeFirstOrThrow()).toEqual({ state: 'failed', last_error: 'always' });
});

it('takes over a job whose process died mid-run once its lease runs out', async () => {
	let runs = 0;
	const s = scheduler('lease', async () => void runs++);
	await s.enqueue(store.db, [{ kind: 'lease', subject: 'd', runAt: now }]);
	// A process claimed it and died: running, lease ahead.
	await store.db.updateTable('scheduled_jobs').set({ state: 'running', lease_until: now + limits.scheduler.leaseMs, attempts: 1 }).where('subject', '=', 'd').execute();
	expect(await s.runDue()).toBe(0);
	now += limits.scheduler.leaseMs + 1;
	expect(await s.runDue()).toBe(1);
	expect(runs).toBe(1);
});
