import { Worker } from 'node:worker_threads';

/** Runs checkpoint-worker.ts for one SQLite file; restarts it if it fails. */
export function startCheckpointer(file: string, intervalMs: number, onError: (err: Error) => void): { stop(): Promise<void> } {
	let stopped = false;
	let worker: Worker;
	const start = () => {
		worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), { workerData: { file, intervalMs } });
		worker.unref();
		worker.on('error', (err) => {
			onError(err);
			if (!stopped) setTimeout(start, intervalMs).unref();
		});
	};
	start();
	return {
		async stop() {
			stopped = true;
			await worker.terminate();
		}
	};
}
