/**
 * A small migration runner: each migration runs once, in order, inside a
 * transaction, and is recorded in `_migrations`. Kysely's own Migrator reads
 * files from disk by name; a static list keeps the bundle-free server simple
 * and the order explicit.
 */
import { sql, type Kysely, type ColumnDataType } from 'kysely';
import type { Database } from './schema.ts';

/** Migrations see every table, including ones the typed schema no longer has, so rows are loosely typed. */
type AnyTables = Record<string, Record<string, unknown>>;

/** Column types that differ between the two databases. */
export interface Dialect {
	kind: 'sqlite' | 'postgres';
	/** Milliseconds since the epoch. */
	time: ColumnDataType;
	/** Binary data (Yjs updates). */
	bytes: ColumnDataType;
}

export interface Migration {
	name: string;
	// Migrations see every table, including ones the typed schema no longer has.
	up(db: Kysely<AnyTables>, t: Dialect): Promise<void>;
}

export async function migrate(db: Kysely<Database>, t: Dialect, list: Migration[]): Promise<string[]> {
	const anyDb = db as unknown as Kysely<AnyTables>;
	await anyDb.schema
		.createTable('_migrations')
		.ifNotExists()
		.addColumn('name', 'text', (c) => c.primaryKey())
		.addColumn('applied_at', t.time, (c) => c.notNull())
		.execute();
	const done = new Set(
		(await anyDb.selectFrom('_migrations').select('name').execute()).map((r) => String(r.name))
	);
	const applied: string[] = [];
	for (const m of list) {
		if (done.has(m.name)) continue;
		await anyDb.transaction().execute(async (trx) => {
			await m.up(trx, t);
			await trx.insertInto('_migrations').values({ name: m.name, applied_at: Date.now() }).execute();
		});
		applied.push(m.name);
	}
	return applied;
}

export { sql };
