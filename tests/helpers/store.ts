/**
 * In-process tests' storage: a store and a mail queue in a temporary folder,
 * on SQLite or on a fresh PostgreSQL schema, and one call that closes and
 * removes all of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../server/store/index.ts';
import { createMail, type MailService } from '../../server/mail/index.ts';
import { loadConfig } from '../../server/config/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { freshPostgresSchema, type DbKind } from './server.ts';

export interface TestStore {
	store: Store;
	mail: MailService;
	dir: string;
	close(): Promise<void>;
}

export async function openTestStore(kind: DbKind, prefix: string): Promise<TestStore> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `confidante-${prefix}-`));
	let drop = async () => {};
	let store: Store;
	if (kind === 'sqlite') store = await openStore({ dataDir: dir });
	else {
		const schema = await freshPostgresSchema();
		store = await openStore({ dataDir: dir, databaseUrl: schema.url });
		drop = schema.drop;
	}
	const mail = createMail(loadConfig({ DATA_DIR: dir }), store.db, createLogger('silent'));
	return {
		store,
		mail,
		dir,
		async close() {
			await mail.close();
			await store.close();
			await drop();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}
