/**
 * The pad store on SQLite: each accepted update is appended to the pad
 * journal (journal.ts, one write system call, so the relay does not wait
 * for the rest of the event-loop turn); SQLite holds the documents'
 * snapshots, written when a document compacts, and the updates a crash
 * left in the journal, moved there by `recover` at the next start.
 *
 * Everything here runs synchronously on the store's own connection: a
 * second connection would wait on the other's write lock, synchronously,
 * and a read made in one go cannot interleave with a compaction. The store
 * (Kysely) keeps a transaction open across awaits, so while one is open a
 * snapshot waits for a later turn instead of joining it; if it stays open
 * too long the compaction fails and is tried again later.
 */
import type { DatabaseSync } from 'node:sqlite';
import { limits } from '../../config/index.ts';
import { failpoint } from '../../failpoints/index.ts';
import type { PadJournal } from './journal.ts';
import { storedDoc, type PadStore, type StoredUpdate } from './types.ts';

type Row = { seq: number; data: Uint8Array };

export function createSqlitePadStore(db: DatabaseSync, journal: PadJournal): PadStore {
	const snapshotOf = db.prepare('SELECT seq, data FROM pad_snapshots WHERE doc = ?');
	const updatesAfter = db.prepare('SELECT seq, data FROM pad_updates WHERE doc = ? AND seq > ? ORDER BY seq');
	const anyUpdate = db.prepare('SELECT 1 FROM pad_updates WHERE doc = ? LIMIT 1');
	const putSnapshot = db.prepare(
		'INSERT INTO pad_snapshots (doc, seq, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, data = excluded.data, updated_at = excluded.updated_at'
	);
	const dropFolded = db.prepare('DELETE FROM pad_updates WHERE doc = ? AND seq <= ?');
	const dropUpdates = db.prepare('DELETE FROM pad_updates WHERE doc = ?');
	const dropSnapshot = db.prepare('DELETE FROM pad_snapshots WHERE doc = ?');
	// Replaying a journal twice (a crash during recovery) inserts nothing new.
	const insert = db.prepare('INSERT INTO pad_updates (doc, seq, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (doc, seq) DO NOTHING');
	let recovered = false;

	const transaction = (write: () => void) => {
		db.exec('BEGIN IMMEDIATE');
		try {
			write();
			db.exec('COMMIT');
		} catch (err) {
			// Some errors (a full disk) have rolled the transaction back already.
			if (db.isTransaction) db.exec('ROLLBACK');
			throw err;
		}
	};

	/** Runs `write` in its own transaction as soon as the store has none open. */
	const whenFree = (write: () => void): Promise<void> => {
		const since = performance.now();
		return new Promise((resolve, reject) => {
			const attempt = () => {
				if (db.isTransaction) {
					if (performance.now() - since > limits.pad.storeBusyMaxWaitMs) {
						return reject(new Error(`the store kept a transaction open for over ${limits.pad.storeBusyMaxWaitMs} ms`));
					}
					return void setImmediate(attempt);
				}
				try {
					transaction(write);
					resolve();
				} catch (err) {
					reject(err instanceof Error ? err : new Error(String(err)));
				}
			};
			attempt();
		});
	};

	// The journal's old segments are read by recover alone: before it, a load would miss them.
	const ready = () => {
		if (!recovered) throw new Error('the pad store must recover() what the journal holds before it is used');
	};

	const storeRecovered = (updates: StoredUpdate[]) =>
		transaction(() => {
			const covered = new Map<string, number>();
			const now = Date.now();
			for (const u of updates) {
				if (!covered.has(u.doc)) covered.set(u.doc, (snapshotOf.get(u.doc) as Row | undefined)?.seq ?? 0);
				if (u.seq > covered.get(u.doc)!) insert.run(u.doc, u.seq, u.data, now);
			}
			failpoint('pad.store.recover');
		});

	const appendNow = (rows: readonly StoredUpdate[]) => {
		ready();
		failpoint('pad.store.append');
		journal.append(rows);
	};

	return {
		async recover() {
			const n = journal.recover(storeRecovered);
			recovered = true;
			return n;
		},

		async load(doc) {
			ready();
			const snapshot = snapshotOf.get(doc) as Row | undefined;
			// Recovered rows first: they were written before anything in today's journal.
			const rows = [...(updatesAfter.all(doc, snapshot?.seq ?? 0) as Row[]), ...journal.read(doc)];
			return storedDoc(snapshot, rows);
		},

		async exists(doc) {
			ready();
			return journal.holds(doc) || snapshotOf.get(doc) !== undefined || anyUpdate.get(doc) !== undefined;
		},

		appendNow,

		append(rows) {
			// A throw inside the executor rejects the promise; the writer retries.
			return new Promise((resolve) => {
				appendNow(rows);
				resolve();
			});
		},

		/** Then the journal lets the folded updates go. */
		async compact(doc, state, uptoSeq) {
			ready();
			await whenFree(() => {
				putSnapshot.run(doc, uptoSeq, state, Date.now());
				failpoint('pad.store.compact');
				dropFolded.run(doc, uptoSeq);
			});
			journal.covered(doc, uptoSeq);
		},

		async erase(docs) {
			ready();
			if (docs.length === 0) return;
			await whenFree(() => {
				for (const doc of docs) {
					dropUpdates.run(doc);
					dropSnapshot.run(doc);
				}
			});
			journal.forget(new Set(docs));
		},

		async close() {
			journal.close();
		}
	};
}
