/**
 * Runs in a worker thread: appends pad updates (and writes compacted
 * snapshots) to the SQLite file with its own connection. node:sqlite is synchronous, so a write that waits for the
 * disk (a WAL checkpoint's fsync, a busy disk) would otherwise stop the
 * server's whole event loop; here it only stops this thread. Each message
 * is one batch or one compaction, written in one transaction; the reply
 * says done or why not. Compaction goes through here too: two connections
 * writing the same file would wait on each other's lock, and the main
 * thread's connection waits synchronously.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_PRAGMAS } from '../store/sqlite-pragmas.ts';

type Job =
	| { id: number; kind: 'append'; rows: { doc: string; seq: number; data: Uint8Array }[] }
	| { id: number; kind: 'compact'; doc: string; state: Uint8Array; seq: number };

const db = new DatabaseSync((workerData as { file: string }).file);
db.exec(SQLITE_PRAGMAS);
const insert = db.prepare('INSERT INTO pad_updates (doc, seq, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, seq) DO NOTHING');
const snapshot = db.prepare(
	'INSERT INTO pad_snapshots (doc, seq, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at'
);
const dropFolded = db.prepare('DELETE FROM pad_updates WHERE doc = ? AND seq <= ?');

parentPort!.on('message', (job: Job) => {
	const { id } = job;
	try {
		const now = Date.now();
		db.exec('BEGIN IMMEDIATE');
		try {
			if (job.kind === 'append') for (const r of job.rows) insert.run(r.doc, r.seq, r.data, now);
			else {
				snapshot.run(job.doc, job.seq, job.state, now);
				dropFolded.run(job.doc, job.seq);
			}
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
