/**
 * Summary rendering off the event loop: one worker thread, started on first
 * use, renders a version's copies per job (copies.ts). A job that misses its
 * deadline (or a worker that fails) costs only its own rendering: the worker
 * is stopped, the jobs still waiting on it are rendered as plain escaped text
 * instead (one linear pass over bounded sections), and the next job starts a
 * fresh worker.
 */
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { running } from '../health/index.ts';
import { jobThread } from '../threads/index.ts';
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
}

export function createCopyRenderer(log: Logger, opts: { deadlineMs?: number } = {}): CopyRenderer {
	function plain(job: Pending): Rendering[] {
		return running('summary render', () => renderCopies(contentOf(job.content), job.meta, plainTextHtml, 'plain-text'), { ...job.detail, fallback: true });
	}

	// A job the thread abandons (deadline, failure, shutdown) is rendered as plain text here instead.
	const thread = jobThread<Omit<RenderJob, 'id'>, RenderAnswer, Pending>({
		file: new URL('./render-worker.ts', import.meta.url),
		deadlineMs: opts.deadlineMs ?? limits.summary.renderDeadlineMs,
		answered(a, job) {
			if ('copies' in a) return job.resolve(a.copies);
			log.error({ ...job.detail, error: a.error }, 'the Markdown renderer failed; summary rendered as plain text');
			job.resolve(plain(job));
		},
		abandoned(job, why, err) {
			log.warn({ err, ...job.detail, why }, 'summary rendered as plain text');
			job.resolve(plain(job));
		},
		note(message) {
			const n = message as PriorityNote;
			if (n.priority === 'normal') log.info({ why: n.why }, 'the summary render thread runs at normal priority');
		}
	});

	return {
		render(content, meta, detail) {
			return new Promise<Rendering[]>((resolve) => thread.post({ content, meta }, { content, meta, detail, resolve }));
		},
		async close() {
			thread.close('the server is shutting down');
		}
	};
}
