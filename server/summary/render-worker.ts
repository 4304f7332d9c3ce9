/**
 * The worker thread that renders summary copies (copy-renderer.ts starts it),
 * so turning people's Markdown into HTML never holds the event loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { SummaryContent } from './content.ts';
import { contentOf, renderCopies, type Rendering, type RenderMeta } from './copies.ts';
import { markdownToHtml } from './markdown-html.ts';

export interface RenderJob {
	id: number;
	/** The content, or its JSON as stored (parsed here, off the event loop). */
	content: SummaryContent | string;
	meta: RenderMeta;
}

export type RenderAnswer = { id: number; copies: Rendering[] } | { id: number; error: string };

/** Sent once at start: whether the thread runs at low priority, and if not, why. */
export type PriorityNote = { priority: 'low' } | { priority: 'normal'; why: string };

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs as a worker thread (see copy-renderer.ts).');

/**
 * On Linux a thread has its own scheduling priority: this one yields the CPU
 * to the event loop's thread (and everything else), so rendering a long
 * summary on a busy machine delays the summary, not every request. Best
 * effort: elsewhere the thread keeps the process's priority.
 */
function yieldToEventLoop(): PriorityNote {
	try {
		const tid = Number(/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
		if (!tid) return { priority: 'normal', why: 'no thread id in /proc/thread-self' };
		os.setPriority(tid, os.constants.priority.PRIORITY_LOW);
		return { priority: 'low' };
	} catch (err) {
		return { priority: 'normal', why: err instanceof Error ? err.message : String(err) };
	}
}
port.postMessage(yieldToEventLoop());

port.on('message', (job: RenderJob) => {
	try {
		port.postMessage({ id: job.id, copies: renderCopies(contentOf(job.content), job.meta, markdownToHtml, 'markdown') } satisfies RenderAnswer);
	} catch (err) {
		port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies RenderAnswer);
	}
});
