/**
 * Summary rendering off the event loop: one worker thread, started on first
 * use, renders a version's copies per job (copies.ts). A job that misses its
 * deadline (or a worker that fails) costs only its own rendering: the worker
 * is stopped, the jobs still waiting on it are rendered as plain escaped text
 * instead (one linear pass over bounded sections), and the next job starts a
 * fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { running } from '../health/index.ts';
import type { SummaryContent } from './content.ts';
import { contentOf, renderCopies, type Rendering, type RenderMeta } from './copies.ts';
import { plainTextHtml } from './markdown-html.ts';
import type { PriorityNote, RenderAnswer, RenderJob } from './render-worker.ts';

export interface CopyRenderer {
	/** Both copies of a version; never rejects. `detail` (session, summary) names the work in logs. */
	render(content: SummaryContent | string, meta: RenderMeta, detail: Record<string, unknown>): Promise<Rendering[]>;
	close(): Promise<void>;
}

interface Pending {
	/** The content, or its JSON as stored. */
	content: SummaryContent | string;
	meta: RenderMeta;
	detail: Record<string, unknown>;
	resolve: (r: Rendering[]) => void;
	timer: ReturnType<typeof setTimeout>;
}

const workerFile = new URL('./render-worker.ts', import.meta.url);

export function createCopyRenderer(log: Logger, opts: { deadlineMs?: number } = {}): CopyRenderer {
	const deadlineMs = opts.deadlineMs ?? limits.summary.renderDeadlineMs;
	let worker: Worker | null = null;
	const pending = new Map<number, Pending>();
	let nextId = 1;

	function plain(job: Pending): Rendering[] {
		return running('summary render', () => renderCopies(contentOf(job.content), job.meta, plainTextHtml, 'plain-text'), { ...job.detail, fallback: true });
	}

	/** Stops the worker and renders whatever was waiting on it as plain text. */
	function abandon(w: Worker, why: string, err?: unknown) {
		if (worker !== w) return;
		worker = null;
		void w.terminate();
		for (const [id, job] of pending) {
			pending.delete(id);
			clearTimeout(job.timer);
			log.warn({ err, ...job.detail, why }, 'summary rendered as plain text');
			job.resolve(plain(job));
		}
	}

	function answer(a: RenderAnswer | PriorityNote) {
		if ('priority' in a) {
			if (a.priority === 'normal') log.info({ why: a.why }, 'the summary render thread runs at normal priority');
			return;
		}
		const job = pending.get(a.id);
		if (!job) return;
		pending.delete(a.id);
		clearTimeout(job.timer);
		if ('copies' in a) return job.resolve(a.copies);
		log.error({ ...job.detail, error: a.error }, 'the Markdown renderer failed; summary rendered as plain text');
		job.resolve(plain(job));
	}

	function start(): Worker {
		const w = new Worker(workerFile);
		// An idle renderer must not keep the process alive at shutdown.
		w.unref();
		w.on('message', answer);
		w.on('error', (err) => abandon(w, 'the render worker failed', err));
		w.on('exit', (code) => abandon(w, `the render worker exited (${code})`));
		return w;
	}

	return {
		render(content, meta, detail) {
			return new Promise<Rendering[]>((resolve) => {
				const id = nextId++;
				const w = (worker ??= start());
				const timer = setTimeout(() => abandon(w, `no answer within ${deadlineMs} ms`), deadlineMs);
				pending.set(id, { content, meta, detail, resolve, timer });
				w.postMessage({ id, content, meta } satisfies RenderJob);
			});
		},
		async close() {
			if (worker) abandon(worker, 'the server is shutting down');
		}
	};
}
