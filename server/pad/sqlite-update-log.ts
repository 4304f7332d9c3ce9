/**
 * The writer's target on SQLite: each batch of accepted updates is appended
 * to the pad journal (journal.ts, one write system call); SQLite holds the
 * documents' snapshots, written when a document compacts (after a number of
 * updates, after a while, and before it leaves memory). At start-up the
 * journal's leftovers from a crash go into the update table first, where
 * PadStorage.load finds them.
 *
 * Snapshots are written synchronously on the store's own connection: a
 * second connection would wait on the other's write lock, synchronously.
 * The store (Kysely) keeps a transaction open across awaits, so while one is
 * open a snapshot waits for a later turn instead of joining it; if it stays
 * open too long the compaction fails and is tried again later.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { limits } from '../config/index.ts';
import type { AppendTarget } from './writer.ts';
import type { Compactor } from './document.ts';
import type { PadJournal } from './journal.ts';
import type { StoredUpdate } from './storage.ts';

export class SqliteUpdateLog implements AppendTarget, Compactor {
	private readonly db: DatabaseSync;
	private readonly journal: PadJournal;
	private readonly snapshot: StatementSync;
	private readonly dropFolded: StatementSync;

	constructor(db: DatabaseSync, journal: PadJournal) {
		this.db = db;
		this.journal = journal;
		this.snapshot = db.prepare(
			'INSERT INTO pad_snapshots (doc, seq, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at'
		);
		this.dropFolded = db.prepare('DELETE FROM pad_updates WHERE doc = ? AND seq <= ?');
	}

	/**
	 * Moves what the journal holds from before this process into the update
	 * table, in one transaction, skipping what snapshots already contain.
	 * Runs before any document loads.
	 */
	recover(): number {
		const snapshotSeq = this.db.prepare('SELECT seq FROM pad_snapshots WHERE doc = ?');
		// Replaying a journal twice (a crash during recovery) inserts nothing new.
		const insert = this.db.prepare('INSERT INTO pad_updates (doc, seq, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, seq) DO NOTHING');
		return this.journal.recover((updates) =>
			this.transaction(() => {
				const covered = new Map<string, number>();
				const now = Date.now();
				for (const u of updates) {
					if (!covered.has(u.doc)) covered.set(u.doc, (snapshotSeq.get(u.doc) as { seq: number } | undefined)?.seq ?? 0);
					if (u.seq > covered.get(u.doc)!) insert.run(u.doc, u.seq, u.data, now);
				}
			})
		);
	}

	appendNow(rows: StoredUpdate[]): void {
		this.journal.append(rows);
	}

	append(rows: StoredUpdate[]): Promise<void> {
		// A throw inside the executor rejects the promise; the writer retries.
		return new Promise((resolve) => {
			this.appendNow(rows);
			resolve();
		});
	}

	/** Replaces the document's snapshot and drops the updates it contains, atomically; then the journal lets them go. */
	async compact(doc: string, state: Uint8Array, seq: number): Promise<void> {
		await this.whenFree(() => {
			this.snapshot.run(doc, seq, state, Date.now());
			this.dropFolded.run(doc, seq);
		});
		this.journal.covered(doc, seq);
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
