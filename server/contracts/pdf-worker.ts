/**
 * The worker thread that lays out contract PDFs (pdf-thread.ts starts it):
 * pdfkit measures and wraps every word on the thread it runs on, some 150 ms
 * of CPU for one contract, which on the event loop made every request, pad
 * frame and socket wait (measured with --cpu-prof; docs/benchmarks.md).
 */
import { parentPort } from 'node:worker_threads';
import { contractPdf, type ContractHeading } from './document.ts';
import type { ContractVersion } from './store.ts';

export interface PdfJob {
	id: number;
	version: ContractVersion;
	heading: ContractHeading;
}

export type PdfAnswer = { id: number; pdf: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('pdf-worker.ts runs as a worker thread (see pdf-thread.ts).');

port.on('message', (job: PdfJob) => {
	contractPdf(job.version, job.heading).then(
		(pdf) => port.postMessage({ id: job.id, pdf } satisfies PdfAnswer),
		(err: unknown) => port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies PdfAnswer)
	);
});
