/**
 * Contract PDFs off the event loop: one worker thread (pdf-worker.ts),
 * started on first use and not keeping the process alive when idle. A PDF
 * that misses `limits.contracts.pdfDeadlineMs`, or a worker that fails,
 * rejects its email's composition (the mail queue retries it with backoff)
 * and the next PDF starts a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { limits } from '../config/index.ts';
import type { ContractHeading } from './document.ts';
import type { ContractVersion } from './store.ts';
import type { PdfAnswer, PdfJob } from './pdf-worker.ts';

interface Pending {
	resolve: (pdf: Buffer) => void;
	reject: (err: Error) => void;
	timer: ReturnType<typeof setTimeout>;
}

const workerFile = new URL('./pdf-worker.ts', import.meta.url);
let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;

function abandon(w: Worker, why: string) {
	if (worker !== w) return;
	worker = null;
	void w.terminate();
	for (const [id, job] of pending) {
		pending.delete(id);
		clearTimeout(job.timer);
		job.reject(new Error(`The contract PDF could not be made: ${why}.`));
	}
}

function answer(a: PdfAnswer) {
	const job = pending.get(a.id);
	if (!job) return;
	pending.delete(a.id);
	clearTimeout(job.timer);
	if ('pdf' in a) job.resolve(Buffer.from(a.pdf.buffer, a.pdf.byteOffset, a.pdf.byteLength));
	else job.reject(new Error(`The contract PDF could not be made: ${a.error}`));
}

function start(): Worker {
	const w = new Worker(workerFile);
	w.unref();
	w.on('message', answer);
	w.on('error', (err) => abandon(w, `the PDF worker failed (${err.message})`));
	w.on('exit', (code) => abandon(w, `the PDF worker exited (${code})`));
	return w;
}

/** A contract version as a PDF, laid out on the worker thread. */
export function contractPdfOffThread(version: ContractVersion, heading: ContractHeading): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const id = nextId++;
		const w = (worker ??= start());
		const timer = setTimeout(() => abandon(w, `no answer within ${limits.contracts.pdfDeadlineMs} ms`), limits.contracts.pdfDeadlineMs);
		pending.set(id, { resolve, reject, timer });
		w.postMessage({ id, version, heading } satisfies PdfJob);
	});
}
