/**
 * Contract PDFs off the event loop, on one worker thread (pdf-worker.ts,
 * through server/threads). A PDF that misses `limits.contracts.pdfDeadlineMs`,
 * or a thread that fails, rejects its email's composition (the mail queue
 * retries it with backoff) and the next PDF starts a fresh thread.
 */
import { limits } from '../config/index.ts';
import { jobThread } from '../threads/index.ts';
import type { ContractHeading } from './document.ts';
import type { ContractVersion } from './store.ts';
import type { PdfAnswer, PdfJob } from './pdf-worker.ts';

interface Pending {
	resolve: (pdf: Buffer) => void;
	reject: (err: Error) => void;
}

const thread = jobThread<Omit<PdfJob, 'id'>, PdfAnswer, Pending>({
	file: new URL('./pdf-worker.ts', import.meta.url),
	deadlineMs: limits.contracts.pdfDeadlineMs,
	answered(a, job) {
		if ('pdf' in a) job.resolve(Buffer.from(a.pdf.buffer, a.pdf.byteOffset, a.pdf.byteLength));
		else job.reject(new Error(`The contract PDF could not be made: ${a.error}`));
	},
	abandoned: (job, why) => job.reject(new Error(`The contract PDF could not be made: ${why}.`))
});

/** A contract version as a PDF, laid out on the worker thread. */
export function contractPdfOffThread(version: ContractVersion, heading: ContractHeading): Promise<Buffer> {
	return new Promise((resolve, reject) => thread.post({ version, heading }, { resolve, reject }));
}
