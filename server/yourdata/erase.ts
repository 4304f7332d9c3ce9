/**
 * Running erasure: every group's part in one transaction, then what lives
 * outside the database (pad documents and journal, outbox files), then the
 * SQLite file is rebuilt (VACUUM) and its write-ahead log emptied, so no
 * page with the erased text is left in either file.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Dialect } from '../store/index.ts';
import type { Logger } from '../log/index.ts';
import { limits } from '../config/index.ts';
import { GROUPS } from './groups.ts';
import type { AfterCommit, ErasedEngagement, Membership, Person } from './registry.ts';

export interface OutsideStores {
	erasePads(sessionIds: readonly string[], kinds?: readonly ('shared' | 'private')[]): Promise<void>;
	removeOutbox(names: readonly string[]): void;
}

export const nothingAfter = (): AfterCommit => ({ outboxFiles: [], padSessions: [], privatePads: [] });

/** `sessionIds`: every session of the engagement, as the engagements feature lists them. */
export async function eraseEngagementIn(trx: Transaction<Database>, engagement: ErasedEngagement, sessionIds: string[], after: AfterCommit): Promise<void> {
	const engagementId = engagement.id;
	const subjects = new Set([engagementId, ...sessionIds]);
	for (const g of GROUPS) for (const id of (await g.subjectsOf?.(trx, engagementId)) ?? []) subjects.add(id);
	for (const g of GROUPS) await g.eraseEngagement({ trx, engagementId, engagement, sessionIds, subjects, after });
}

export async function eraseAccountIn(trx: Transaction<Database>, person: Person, staying: Membership[], after: AfterCommit): Promise<void> {
	for (const g of GROUPS) await g.eraseAccount({ trx, person, staying, after });
}

/** After the commit: the pads, the outbox, and the database files' free pages. */
export async function finishOutside(deps: { db: Kysely<Database>; dialect: Dialect; log: Logger; outside: OutsideStores }, after: AfterCommit): Promise<void> {
	if (after.padSessions.length) await deps.outside.erasePads(after.padSessions);
	if (after.privatePads.length) await deps.outside.erasePads(after.privatePads, ['private']);
	deps.outside.removeOutbox(after.outboxFiles);
	await compactStorage(deps);
}

/**
 * SQLite keeps deleted rows' bytes in free pages and in the write-ahead log
 * until they are reused: VACUUM rewrites the file without them, and a
 * TRUNCATE checkpoint empties the log (retried while the checkpointer
 * thread holds it). PostgreSQL's old row versions go with its autovacuum;
 * see the README.
 */
export async function compactStorage({ db, dialect, log }: { db: Kysely<Database>; dialect: Dialect; log: Logger }): Promise<void> {
	if (dialect.kind !== 'sqlite') return;
	await sql`VACUUM`.execute(db);
	for (let attempt = 1; attempt <= limits.yourData.checkpointAttempts; attempt++) {
		const r = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
		if (Number(r.rows[0]?.busy ?? 0) === 0) return;
		await new Promise((resolve) => setTimeout(resolve, limits.yourData.checkpointRetryMs));
	}
	log.warn('the SQLite log could not be emptied after an erasure; the next checkpoint reuses it');
}
