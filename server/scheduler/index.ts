/**
 * The scheduler: durable jobs (reminders, nudges, due-date emails) that
 * survive restarts and run once. This folder owns the `scheduled_jobs`
 * table. A job is a row (kind, subject, run_at); `(kind, subject)` is unique,
 * so scheduling the same thing twice keeps one row. A process claims due
 * rows with a lease (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several
 * instances never take the same row); a process that dies mid-job leaves a
 * lease that runs out, and the job is taken again. Each claim counts an
 * attempt, and that count fences the claim: a process whose lease ran out
 * (a stall, not a crash) cannot mark done or reschedule a job another process
 * has taken since. A failing handler is
 * retried with exponential backoff like the mail queue, then recorded as
 * failed with its reason. Handlers must be idempotent (the ones that send
 * mail queue it under a unique key, so a job run twice sends once).
 *
 * Time comes from an injectable clock: tests move it, nothing waits for
 * real hours.
 */
import fs from 'node:fs';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, Dialect, ScheduledJobRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';

export type { ScheduledJobRow };

/** What a job does when it comes due; `now` is the scheduler's clock. Throwing retries it later. */
export type JobHandler = (job: ScheduledJobRow, now: number) => Promise<void>;

export interface NewJob {
	kind: string;
	subject: string;
	runAt: number;
}

export type Clock = () => number;

export interface Scheduler {
	register(kind: string, handler: JobHandler): void;
	/**
	 * Schedules jobs inside the caller's transaction. A job already pending
	 * under the same kind and subject moves to the new time; one already done
	 * stays done (call `kick()` after commit).
	 */
	enqueue(trx: Transaction<Database> | Kysely<Database>, jobs: NewJob[]): Promise<void>;
	/** Removes pending jobs (e.g. reminders of someone who switched them off). */
	cancel(trx: Transaction<Database> | Kysely<Database>, kind: string, subjects: string[]): Promise<void>;
	/** Pending jobs of a kind whose subject starts with `prefix`. */
	pending(kind: string, prefix?: string): Promise<ScheduledJobRow[]>;
	/** Claims and runs every due job once; the number run. The loop calls it; tests may too. */
	runDue(): Promise<number>;
	kick(): void;
	now: Clock;
	start(): Promise<void>;
	close(): Promise<void>;
}

export function backoffMs(attempts: number): number {
	return Math.min(limits.scheduler.retryMaxMs, limits.scheduler.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The process's clock: real time, or, in tests (CONFIDANTE_CLOCK_FILE), the
 * instant written in that file as milliseconds since the epoch.
 */
export function clockFrom(file: string | undefined): Clock {
	if (!file) return Date.now;
	return () => {
		try {
			const at = Number(fs.readFileSync(file, 'utf8').trim());
			return Number.isFinite(at) && at > 0 ? at : Date.now();
		} catch {
			return Date.now();
		}
	};
}

export function createScheduler(deps: { db: Kysely<Database>; dialect: Pick<Dialect, 'kind'>; log: Logger; clock?: Clock }): Scheduler {
	const { db } = deps;
	const log = deps.log.child({ feature: 'scheduler' });
	const now = deps.clock ?? Date.now;
	const handlers = new Map<string, JobHandler>();
	let timer: ReturnType<typeof setTimeout> | null = null;
	let running: Promise<unknown> | null = null;
	let again = false;
	let started = false;
	let closed = false;

	const claimable = (at: number) => (eb: ExpressionBuilder<Database, 'scheduled_jobs'>) =>
		eb.or([
			eb.and([eb('state', '=', 'pending'), eb('run_at', '<=', at)]),
			// A claim whose process died: its lease ran out.
			eb.and([eb('state', '=', 'running'), eb('lease_until', '<', at)])
		]);

	async function claim(at: number): Promise<ScheduledJobRow[]> {
		const lease = at + limits.scheduler.leaseMs;
		const kinds = [...handlers.keys()];
		if (kinds.length === 0) return [];
		if (deps.dialect.kind === 'postgres') {
			// Row locks: two instances polling at once each take different rows.
			return db
				.updateTable('scheduled_jobs')
				.set((eb) => ({ state: 'running', lease_until: lease, attempts: eb('attempts', '+', 1) }))
				.where('id', 'in', (eb) =>
					eb
						.selectFrom('scheduled_jobs')
						.select('id')
						.where(claimable(at))
						.where('kind', 'in', kinds)
						.orderBy('run_at')
						.limit(limits.scheduler.batch)
						.forUpdate()
						.skipLocked()
				)
				.returningAll()
				.execute();
		}
		// SQLite has one writer: a guarded update per row keeps one claim per job.
		const due = await db.selectFrom('scheduled_jobs').selectAll().where(claimable(at)).where('kind', 'in', kinds).orderBy('run_at').limit(limits.scheduler.batch).execute();
		const claimed: ScheduledJobRow[] = [];
		for (const job of due) {
			const r = await db
				.updateTable('scheduled_jobs')
				.set({ state: 'running', lease_until: lease, attempts: job.attempts + 1 })
				.where('id', '=', job.id)
				.where('state', '=', job.state)
				.where('attempts', '=', job.attempts)
				.executeTakeFirst();
			if (Number(r.numUpdatedRows) === 1) claimed.push({ ...job, state: 'running', lease_until: lease, attempts: job.attempts + 1 });
		}
		return claimed;
	}

	/** The claim is ours while no later claim counted another attempt. */
	const ours = (job: ScheduledJobRow) => (eb: ExpressionBuilder<Database, 'scheduled_jobs'>) => eb.and([eb('id', '=', job.id), eb('state', '=', 'running'), eb('attempts', '=', job.attempts)]);

	async function runOne(job: ScheduledJobRow, at: number): Promise<void> {
		const handler = handlers.get(job.kind);
		// A batch runs one job after another: each job's lease starts when it does, so the last of a slow batch is not taken twice.
		const renewed = await db.updateTable('scheduled_jobs').set({ lease_until: now() + limits.scheduler.leaseMs }).where(ours(job)).executeTakeFirst();
		if (Number(renewed.numUpdatedRows) !== 1) {
			log.warn({ job: job.id, kind: job.kind }, 'job taken by another process before it ran here; skipped');
			return;
		}
		try {
			if (!handler) throw new Error(`no handler for ${job.kind} jobs`);
			await handler(job, at);
			await db.updateTable('scheduled_jobs').set({ state: 'done', done_at: now(), lease_until: null, last_error: null }).where(ours(job)).execute();
			log.info({ job: job.id, kind: job.kind, subject: job.subject, attempt: job.attempts }, 'job done');
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			const final = job.attempts >= limits.scheduler.maxAttempts;
			await db
				.updateTable('scheduled_jobs')
				.set(final ? { state: 'failed', last_error: reason, lease_until: null } : { state: 'pending', last_error: reason, lease_until: null, run_at: now() + backoffMs(job.attempts) })
				.where(ours(job))
				.execute();
			log.warn({ err, job: job.id, kind: job.kind, attempt: job.attempts, final }, final ? 'job failed for good' : 'job failed; will retry');
		}
	}

	async function runDue(): Promise<number> {
		let count = 0;
		for (;;) {
			const at = now();
			const jobs = await claim(at);
			for (const job of jobs) await runOne(job, at);
			count += jobs.length;
			if (jobs.length < limits.scheduler.batch || closed) return count;
		}
	}

	function arm(ms: number) {
		if (closed) return;
		if (timer) clearTimeout(timer);
		timer = setTimeout(kick, ms);
		timer.unref();
	}

	function kick() {
		if (!started || closed) return;
		if (running) {
			again = true;
			return;
		}
		running = (async () => {
			try {
				do {
					again = false;
					await runDue();
				} while (again && !closed);
			} catch (err) {
				log.error({ err }, 'scheduler could not read its jobs; trying again shortly');
			} finally {
				running = null;
				arm(limits.scheduler.pollMs);
			}
		})();
	}

	return {
		now,
		register(kind, handler) {
			handlers.set(kind, handler);
		},
		async enqueue(trx, jobs) {
			const created = now();
			for (const j of jobs) {
				await trx
					.insertInto('scheduled_jobs')
					.values({ id: newId(), kind: j.kind, subject: j.subject, run_at: j.runAt, state: 'pending', attempts: 0, lease_until: null, last_error: null, created_at: created, done_at: null })
					.onConflict((oc) => oc.columns(['kind', 'subject']).doUpdateSet({ run_at: j.runAt, attempts: 0, last_error: null }).where('scheduled_jobs.state', '=', 'pending'))
					.execute();
			}
		},
		async cancel(trx, kind, subjects) {
			if (subjects.length === 0) return;
			await trx.deleteFrom('scheduled_jobs').where('kind', '=', kind).where('subject', 'in', subjects).where('state', '=', 'pending').execute();
		},
		async pending(kind, prefix = '') {
			let q = db.selectFrom('scheduled_jobs').selectAll().where('kind', '=', kind).where('state', 'in', ['pending', 'running']);
			if (prefix) q = q.where('subject', 'like', `${prefix.replace(/[%_\\]/g, '\\$&')}%`);
			return q.orderBy('run_at').execute();
		},
		runDue,
		kick,
		async start() {
			started = true;
			kick();
		},
		async close() {
			closed = true;
			if (timer) clearTimeout(timer);
			await running;
		}
	};
}
