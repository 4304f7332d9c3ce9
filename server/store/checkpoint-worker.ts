/**
 * Copies the SQLite write-ahead log back into the database file at a steady
 * pace, on its own thread and connection. PASSIVE never waits for or blocks
 * writers; the log is reused from its start once a checkpoint has caught up.
 */
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new DatabaseSync(file);
db.exec('PRAGMA busy_timeout = 5000;');
setInterval(() => db.exec('PRAGMA wal_checkpoint(PASSIVE);'), intervalMs);
