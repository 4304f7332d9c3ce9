/**
 * One worker thread that takes jobs and answers each by its id: what the
 * summary renderer (server/summary/copy-renderer.ts) and contract PDFs
 * (server/contracts/pdf-thread.ts) run CPU-heavy work on, off the event
 * loop. The thread starts on first use and does not keep the process alive
 * when idle. A job that misses its deadline, or a thread that fails or
 * exits, abandons every job still waiting on it (each caller decides what an
 * abandoned job gets), and the next job starts a fresh thread.
 */
import { Worker } from 'node:worker_threads';

export interface JobThreadOptions<Answer extends { id: number }, Pending> {
	file: URL;
	deadlineMs: number;
	/** The thread answered this job. */
	answered(answer: Answer, job: Pending): void;
	/** The job will get no answer: the thread missed its deadline, failed, exited or is being closed. */
	abandoned(job: Pending, why: string, err?: unknown): void;
	/** Any other message the thread sends (a note, not an answer). */
	note?(message: unknown): void;
}

export interface JobThread<Job, Pending> {
	post(job: Job, pending: Pending): void;
	/** Abandons what is waiting and stops the thread. */
	close(why: string): void;
}

export function jobThread<Job extends object, Answer extends { id: number }, Pending>(opts: JobThreadOptions<Answer, Pending>): JobThread<Job, Pending> {
	let worker: Worker | null = null;
	const waiting = new Map<number, { job: Pending; timer: ReturnType<typeof setTimeout> }>();
	let nextId = 1;

	function abandon(w: Worker, why: string, err?: unknown) {
		if (worker !== w) return;
		worker = null;
		void w.terminate();
		for (const [id, { job, timer }] of waiting) {
			waiting.delete(id);
			clearTimeout(timer);
			opts.abandoned(job, why, err);
		}
	}

	function onMessage(message: unknown) {
		const id = typeof message === 'object' && message !== null && 'id' in message ? (message as { id: unknown }).id : undefined;
		const entry = typeof id === 'number' ? waiting.get(id) : undefined;
		if (!entry) return opts.note?.(message);
		waiting.delete(id as number);
		clearTimeout(entry.timer);
		opts.answered(message as Answer, entry.job);
	}

	function start(): Worker {
		const w = new Worker(opts.file);
		w.unref();
		w.on('message', onMessage);
		w.on('error', (err) => abandon(w, 'the worker thread failed', err));
		w.on('exit', (code) => abandon(w, `the worker thread exited (${code})`));
		return w;
	}

	return {
		post(job, pending) {
			const id = nextId++;
			const w = (worker ??= start());
			const timer = setTimeout(() => abandon(w, `no answer within ${opts.deadlineMs} ms`), opts.deadlineMs);
			waiting.set(id, { job: pending, timer });
			w.postMessage({ ...job, id });
		},
		close(why) {
			if (worker) abandon(worker, why);
		}
	};
}
