/**
 * The writer's target on SQLite: hands batches (and compactions) to a worker thread
 * (append-worker.ts) that owns its own connection, so waiting for the disk
 * never blocks the event loop. A worker that dies fails its pending batches
 * (the writer retries them) and is replaced on the next append.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/index.ts';
import type { AppendTarget } from './writer.ts';
import type { StoredUpdate } from './storage.ts';

type Pending = { resolve(): void; reject(err: Error): void };

export class SqliteAppender implements AppendTarget {
	private worker: Worker | null = null;
	private next = 0;
	private readonly pending = new Map<number, Pending>();
	private readonly compactions: (Pending & { job: Record<string, unknown> })[] = [];
	private compacting = false;
	private readonly file: string;
	private readonly log: Logger;

	constructor(file: string, log: Logger) {
		this.file = file;
		this.log = log;
	}

	append(rows: StoredUpdate[]): Promise<void> {
		return this.send({ kind: 'append', rows: rows.map((r) => ({ doc: r.doc, seq: r.seq, data: r.data })) });
	}

	/**
	 * Same contract as PadStorage.compact, on the worker's connection. One at
	 * a time: the worker takes jobs in order, and appends (which people are
	 * waiting for) must never queue behind a burst of compactions.
	 */
	compact(doc: string, state: Uint8Array, seq: number): Promise<void> {
		return new Promise((resolve, reject) => {
			this.compactions.push({ job: { kind: 'compact', doc, state, seq }, resolve, reject });
			this.nextCompaction();
		});
	}

	private nextCompaction() {
		if (this.compacting) return;
		const next = this.compactions.shift();
		if (!next) return;
		this.compacting = true;
		this.send(next.job)
			.then(next.resolve, next.reject)
			.finally(() => {
				this.compacting = false;
				this.nextCompaction();
			});
	}

	private send(job: Record<string, unknown>): Promise<void> {
		const worker = this.ensureWorker();
		const id = ++this.next;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			worker.postMessage({ id, ...job });
		});
	}

	async close(): Promise<void> {
		const w = this.worker;
		this.worker = null;
		if (w) await w.terminate();
	}

	private ensureWorker(): Worker {
		if (this.worker) return this.worker;
		const worker = new Worker(new URL('./append-worker.ts', import.meta.url), { workerData: { file: this.file } });
		worker.unref();
		worker.on('message', ({ id, error }: { id: number; error?: string }) => {
			const p = this.pending.get(id);
			this.pending.delete(id);
			if (!p) return;
			if (error) p.reject(new Error(error));
			else p.resolve();
		});
		const fail = (err: Error) => {
			if (this.worker === worker) this.worker = null;
			for (const p of this.pending.values()) p.reject(err);
			this.pending.clear();
		};
		worker.on('error', (err) => {
			this.log.error({ err }, 'pad append worker failed; starting a new one');
			fail(err);
		});
		worker.on('exit', (code) => {
			if (this.worker === worker) fail(new Error(`pad append worker exited with ${code}`));
		});
		this.worker = worker;
		return worker;
	}
}
