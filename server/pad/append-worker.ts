/**
 * Runs in a worker thread: appends pad updates to the SQLite file with its
 * own connection. node:sqlite is synchronous, so a write that waits for the
 * disk (a WAL checkpoint's fsync, a busy disk) would otherwise stop the
 * server's whole event loop; here it only stops this thread. Each message
 * is one batch, written in one transaction; the reply says done or why not.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

interface Batch {
	id: number;
	rows: { doc: string; seq: number; data: Uint8Array }[];
}

const db = new DatabaseSync((workerData as { file: string }).file);
// Same settings as the main connection (server/store/sqlite-driver.ts).
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
const insert = db.prepare('INSERT INTO pad_updates (doc, seq, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, seq) DO NOTHING');

parentPort!.on('message', ({ id, rows }: Batch) => {
	try {
		const now = Date.now();
		db.exec('BEGIN IMMEDIATE');
		try {
			for (const r of rows) insert.run(r.doc, r.seq, r.data, now);
			db.exec('COMMIT');
		} catch (err) {
			db.exec('ROLLBACK');
			throw err;
		}
		parentPort!.postMessage({ id });
	} catch (err) {
		parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
	}
});
