/**
 * Writes accepted updates to the store before anyone else sees them. Appends
 * made in one event-loop turn, across all documents, go out as one insert
 * (or each at once, when the target can store synchronously and nothing is
 * queued); batches are written one at a time, in order. A failed batch is kept and
 * retried with backoff for as long as it takes: the caller's promise only
 * settles once its update is stored, so nothing is broadcast unstored. The
 * documents concerned are told when saving starts failing and when it works
 * again, so they can turn read-only meanwhile.
 *
 * Over a store several instances share (PostgreSQL's head rows), the store
 * hands out the seqs as it stores a batch, and each caller learns its own
 * (null: the document is sealed, nothing stored).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log/index.ts';
import type { PadHeads, PadStore, StoredUpdate } from './store/index.ts';

/** What the writer needs of a pad store. */
export interface AppendTarget extends Pick<PadStore, 'append'> {
	/**
	 * Stores the rows before returning, or throws. A target whose write is
	 * this cheap (the SQLite journal: one system call) saves each update as
	 * it comes, so the relay does not wait for the rest of the turn.
	 */
	appendNow?(rows: readonly StoredUpdate[]): void;
	/** Present: the store hands out seqs (the seq given to `append` is ignored). */
	heads?: Pick<PadHeads, 'append'>;
}

export interface WriterEvents {
	/** Saving these documents failed; they are retried. */
	failing: [docs: Set<string>, err: unknown];
	/** The documents' pending updates are stored after a failure. */
	recovered: [docs: Set<string>];
}

interface Pending extends StoredUpdate {
	resolve(seq: number | null): void;
}

export interface Backoff {
	minMs: number;
	maxMs: number;
}

export class UpdateWriter extends EventEmitter<WriterEvents> {
	private queue: Pending[] = [];
	private scheduled = false;
	private writing = false;
	private failures = 0;
	private readonly troubled = new Set<string>();
	private idle: Array<() => void> = [];
	private readonly target: AppendTarget;
	private readonly log: Logger;
	private readonly backoff: Backoff;

	constructor(target: AppendTarget, log: Logger, backoff: Backoff) {
		super();
		this.target = target;
		this.log = log;
		this.backoff = backoff;
	}

	/**
	 * Stores the update before returning, when the target can and nothing is
	 * waiting (so updates stay in order); false means: use `append`.
	 */
	storeNow(doc: string, seq: number, data: Uint8Array): boolean {
		if (!this.target.appendNow || this.queue.length > 0 || this.writing || this.failures > 0) return false;
		try {
			this.target.appendNow([{ doc, seq, data }]);
			return true;
		} catch (err) {
			this.log.warn({ err, doc, seq }, 'saving a pad update failed; queueing it for retry');
			return false;
		}
	}

	/** True when the store hands out seqs. */
	get sequenced(): boolean {
		return this.target.heads !== undefined;
	}

	/** Resolves with the seq the update was stored under once it is (null: sealed, not stored); never rejects, failures are retried. */
	append(doc: string, seq: number, data: Uint8Array): Promise<number | null> {
		return new Promise((resolve) => {
			this.queue.push({ doc, seq, data, resolve });
			this.schedule();
		});
	}

	get pending(): number {
		return this.queue.length;
	}

	/** True while the last write failed and is being retried. */
	get failing(): boolean {
		return this.failures > 0;
	}

	/** Resolves when everything appended so far is stored. */
	drain(): Promise<void> {
		if (this.queue.length === 0 && !this.writing) return Promise.resolve();
		return new Promise((resolve) => this.idle.push(resolve));
	}

	private schedule(delay = 0) {
		if (this.scheduled || this.writing) return;
		this.scheduled = true;
		const run = () => {
			this.scheduled = false;
			void this.flush();
		};
		if (delay > 0) setTimeout(run, delay).unref();
		else setImmediate(run);
	}

	private async store(batch: Pending[]): Promise<(number | null)[]> {
		if (this.target.heads) return this.target.heads.append(batch);
		await this.target.append(batch);
		return batch.map((p) => p.seq);
	}

	private async flush() {
		if (this.writing || this.queue.length === 0) return;
		this.writing = true;
		const batch = this.queue;
		this.queue = [];
		let seqs: (number | null)[];
		try {
			seqs = await this.store(batch);
		} catch (err) {
			this.failures++;
			// Keep the batch first in line; later appends wait behind it.
			this.queue = batch.concat(this.queue);
			const fresh = new Set(this.queue.map((p) => p.doc).filter((d) => !this.troubled.has(d)));
			for (const d of fresh) this.troubled.add(d);
			const delay = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** (this.failures - 1));
			this.log.error({ err, docs: [...this.troubled], updates: this.queue.length, attempt: this.failures, retryInMs: delay }, 'saving pad updates failed; keeping them in memory and retrying');
			if (fresh.size > 0) this.emit('failing', fresh, err);
			this.writing = false;
			this.schedule(delay);
			return;
		}
		this.writing = false;
		if (this.failures > 0) {
			this.log.info({ attempts: this.failures }, 'saving pad updates works again');
			this.failures = 0;
			const docs = new Set(this.troubled);
			this.troubled.clear();
			this.emit('recovered', docs);
		}
		batch.forEach((p, i) => p.resolve(seqs[i] ?? null));
		if (this.queue.length > 0) this.schedule();
		else for (const done of this.idle.splice(0)) done();
	}
}
