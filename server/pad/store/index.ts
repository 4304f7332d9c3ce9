/**
 * Where pad documents are kept (see types.ts for the contract). Offers:
 * - `openPadStore(deps)`: the store for this database (SQLite: journal plus
 *   snapshots; PostgreSQL: tables), crash leftovers recovered, ready to use.
 * - `createSqlitePadStore`, `createPostgresPadStore`, `PadJournal`: the
 *   parts, for tests.
 */
import path from 'node:path';
import { limits } from '../../config/index.ts';
import type { Logger } from '../../log/index.ts';
import type { Store } from '../../store/index.ts';
import { PadJournal } from './journal.ts';
import { createPostgresPadStore } from './postgres.ts';
import { createSqlitePadStore } from './sqlite.ts';
import type { PadStore } from './types.ts';

export type { MissedUpdates, PadHeads, PadStore, StoredDoc, StoredUpdate, UnsequencedUpdate } from './types.ts';
export { storedDoc } from './types.ts';
export { createSqlitePadStore } from './sqlite.ts';
export { createPostgresPadStore } from './postgres.ts';
export { PadJournal } from './journal.ts';

/** The pad store over the app's store; resolves once what a crash left is stored (before any document loads). */
export async function openPadStore(deps: { store: Store; dataDir: string; log: Logger }): Promise<PadStore> {
	const padStore = deps.store.sqlite
		? createSqlitePadStore(deps.store.sqlite, new PadJournal(path.join(deps.dataDir, 'pad-journal'), { segmentBytes: limits.pad.journalSegmentBytes, syncMs: limits.pad.journalSyncMs }, deps.log))
		: createPostgresPadStore(deps.store.db);
	await padStore.recover();
	return padStore;
}
