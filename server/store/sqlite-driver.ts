/**
 * Adapts Node's built-in `node:sqlite` to the small database interface that
 * Kysely's SqliteDialect expects. Using the built-in module avoids a native
 * addon, which would be compiled against the install-time Node and fail to
 * load on the Node 24 the app runs on.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { SQLITE_PRAGMAS } from './sqlite-pragmas.ts';

function toSqlite(value: unknown): SQLInputValue {
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (value instanceof Date) return value.getTime();
	if (value === undefined) return null;
	return value as SQLInputValue;
}

export function openSqlite(file: string): SqliteDatabase & { raw: DatabaseSync } {
	const db = new DatabaseSync(file);
	db.exec(`${SQLITE_PRAGMAS} PRAGMA foreign_keys = ON;`);
	return {
		raw: db,
		close: () => db.close(),
		prepare(sql: string): SqliteStatement {
			const stmt = db.prepare(sql);
			const reader = stmt.columns().length > 0;
			return {
				reader,
				all: (params) => stmt.all(...params.map(toSqlite)),
				run: (params) => {
					const r = stmt.run(...params.map(toSqlite));
					return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
				},
				iterate: (params) => stmt.iterate(...params.map(toSqlite)) as IterableIterator<unknown>
			};
		}
	};
}
