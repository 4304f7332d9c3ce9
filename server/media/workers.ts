/**
 * The mediasoup workers: one process per core by default. Routers go to the
 * least-loaded live worker. A worker that dies is reported (so its rooms can
 * move) and replaced after a short pause. A missing worker binary does not
 * stop the server: pages, pads and prompts still work, media requests are
 * answered `unavailable`, and the pool looks for the binary again later.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';

export interface WorkerLoad {
	[key: string]: unknown;
	/** Routers (live sessions) and open transports (two per participant) on this worker. */
	routers: number;
	transports: number;
}

export type MediaWorker = types.Worker<WorkerLoad>;

export interface WorkerPoolEvents {
	/** A worker died; every router on it is gone. */
	died: [worker: MediaWorker];
}

export interface WorkerPoolOptions {
	size: number;
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
	private readonly workers = new Set<MediaWorker>();
	private readonly log: Logger;
	private readonly size: number;
	private closed = false;
	private lastFailure = 0;
	private filling: Promise<void> | null = null;

	constructor(opts: WorkerPoolOptions, log: Logger) {
		super();
		this.size = opts.size;
		this.log = log;
	}

	static defaultSize(configured: number | undefined): number {
		return configured ?? Math.max(1, os.availableParallelism());
	}

	/** Starts the workers; resolves even when none could start (logged, retried on demand). */
	async start(): Promise<void> {
		await this.fill();
	}

	/** Live workers, for tests and the health of the feature. */
	get live(): MediaWorker[] {
		return [...this.workers].filter((w) => !w.died && !w.closed);
	}

	/**
	 * The live worker with the least load. Spawns workers if the pool is short
	 * (after a death or a failed start); null if none can run.
	 */
	async leastLoaded(): Promise<MediaWorker | null> {
		if (this.live.length < this.size && Date.now() - this.lastFailure > limits.media.workerRetryMs) await this.fill();
		let best: MediaWorker | null = null;
		for (const w of this.live) {
			if (!best || weight(w.appData) < weight(best.appData)) best = w;
		}
		return best;
	}

	private fill(): Promise<void> {
		this.filling ??= (async () => {
			try {
				while (!this.closed && this.live.length < this.size) await this.spawn();
			} catch (err) {
				this.lastFailure = Date.now();
				this.log.error({ err, workerBin: mediasoup.workerBin }, 'mediasoup worker could not start; live video is unavailable until it can (run `npm install` to build the worker)');
			} finally {
				this.filling = null;
			}
		})();
		return this.filling;
	}

	private async spawn(): Promise<void> {
		const worker = await mediasoup.createWorker<WorkerLoad>({ logLevel: 'warn', appData: { routers: 0, transports: 0 } });
		this.workers.add(worker);
		this.log.info({ pid: worker.pid, workers: this.live.length }, 'mediasoup worker started');
		worker.on('died', (err) => {
			this.workers.delete(worker);
			if (this.closed) return;
			this.log.error({ err, pid: worker.pid }, 'mediasoup worker died; moving its sessions');
			this.emit('died', worker);
			const again = setTimeout(() => void this.fill(), limits.media.workerRespawnDelayMs);
			again.unref();
		});
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const w of this.workers) w.close();
		this.workers.clear();
	}
}

const weight = (load: WorkerLoad) => load.routers + load.transports;
