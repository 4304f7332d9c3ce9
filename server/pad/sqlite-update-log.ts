/**
 * The writer's target on SQLite: appends each batch (and writes compacted
 * snapshots) synchronously on the store's own connection.
 *
 * Why on the main thread: with WAL and synchronous = NORMAL a commit only
 * writes to the operating system's cache (still durable across a killed
 * process); checkpoints, the writes that fsync, run on the store's
 * checkpointer thread. So a batch commits in tens of microseconds, less than
 * handing it to a worker thread and back cost, and a worker on a busy machine
 * also waited to be scheduled, which showed in the pad's p99
 * (docs/benchmarks.md).
 *
 * Why the store's connection: a second connection would wait on the other's
 * write lock, synchronously. The store (Kysely) keeps a transaction open
 * across awaits, so while one is open a write waits for a later turn instead
 * of joining it; if it stays open too long the write fails and the writer
 * retries it with backoff.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { limits } from '../config/index.ts';
import type { AppendTarget } from './writer.ts';
import type { Compactor } from './document.ts';
import type { StoredUpdate } from './storage.ts';

export class SqliteUpdateLog implements AppendTarget, Compactor {
	private readonly db: DatabaseSync;
	private readonly insert: StatementSync;
	private readonly snapshot: StatementSync;
	private readonly dropFolded: StatementSync;

	constructor(db: DatabaseSync) {
		this.db = db;
		// A retried batch that had in fact been written is ignored row by row.
		this.insert = db.prepare('INSERT INTO pad_updates (doc, seq, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, seq) DO NOTHING');
		this.snapshot = db.prepare(
			'INSERT INTO pad_snapshots (doc, seq, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at'
		);
		this.dropFolded = db.prepare('DELETE FROM pad_updates WHERE doc = ? AND seq <= ?');
	}

	append(rows: StoredUpdate[]): Promise<void> {
		return this.whenFree(() => {
			const now = Date.now();
			for (const r of rows) this.insert.run(r.doc, r.seq, r.data, now);
		});
	}

	/** Replaces the document's snapshot and drops the updates it contains, atomically. */
	compact(doc: string, state: Uint8Array, seq: number): Promise<void> {
		return this.whenFree(() => {
			this.snapshot.run(doc, seq, state, Date.now());
			this.dropFolded.run(doc, seq);
		});
	}

	/** Runs `write` in its own transaction as soon as the store has none open. */
	private whenFree(write: () => void): Promise<void> {
		const since = performance.now();
		return new Promise((resolve, reject) => {
			const attempt = () => {
				if (this.db.isTransaction) {
					if (performance.now() - since > limits.pad.storeBusyMaxWaitMs) {
						return reject(new Error(`the store kept a transaction open for over ${limits.pad.storeBusyMaxWaitMs} ms`));
					}
					return void setImmediate(attempt);
				}
				try {
					this.transaction(write);
					resolve();
				} catch (err) {
					reject(err instanceof Error ? err : new Error(String(err)));
				}
			};
			attempt();
		});
	}

	private transaction(write: () => void) {
		this.db.exec('BEGIN IMMEDIATE');
		try {
			write();
			this.db.exec('COMMIT');
		} catch (err) {
			// Some errors (a full disk) have rolled the transaction back already.
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw err;
		}
	}
}
