/**
 * The data layer: one Kysely instance over the embedded SQLite file (default,
 * nothing to set up) or PostgreSQL (when DATABASE_URL is set). Migrations run
 * at open. Everything durable goes through here, except the pad's update
 * journal on SQLite (server/pad/store/journal.ts), a file beside the database that
 * the pad folds into it.
 */
import fs from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrate, type Dialect } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { openSqlite } from './sqlite-driver.ts';
import { startCheckpointer } from './wal-checkpointer.ts';
import { limits } from '../config/index.ts';

export type { Database } from './schema.ts';
export type * from './schema.ts';
export type { Dialect, Migration } from './migrate.ts';

export interface Store {
	db: Kysely<Database>;
	dialect: Dialect;
	/**
	 * The SQLite connection under `db` (null on PostgreSQL), for a feature
	 * that must write synchronously (the pad's snapshots and crash recovery). Writing on it
	 * while `db` has a transaction open would join that transaction: check
	 * `isTransaction` first.
	 */
	sqlite: DatabaseSync | null;
	/** Cheap round trip, for /readyz. */
	ping(): Promise<void>;
	close(): Promise<void>;
}

// BIGINT columns hold millisecond times; they fit a JS number exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openStore(opts: { dataDir: string; databaseUrl?: string | undefined; onError?: (err: Error) => void }): Promise<Store> {
	let db: Kysely<Database>;
	let dialect: Dialect;
	let checkpointer: { stop(): Promise<void> } | undefined;
	let sqlite: DatabaseSync | null = null;
	if (opts.databaseUrl) {
		const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
		db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
		dialect = { kind: 'postgres', time: 'bigint', bytes: 'bytea' };
	} else {
		fs.mkdirSync(opts.dataDir, { recursive: true });
		const file = path.join(opts.dataDir, 'confidante.sqlite');
		const database = openSqlite(file);
		sqlite = database.raw;
		checkpointer = startCheckpointer(file, limits.store.walCheckpointIntervalMs, opts.onError ?? (() => {}));
		db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
		dialect = { kind: 'sqlite', time: 'integer', bytes: 'blob' };
	}
	await migrate(db, dialect, migrations);
	return {
		db,
		dialect,
		sqlite,
		async ping() {
			await db.selectFrom('_migrations' as never).select(db.fn.countAll().as('n')).executeTakeFirst();
		},
		async close() {
			await checkpointer?.stop();
			await db.destroy();
		}
	};
}
