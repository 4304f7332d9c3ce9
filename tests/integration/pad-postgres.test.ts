/**
 * The pad's convergence and SIGKILL durability on PostgreSQL (pad.test.ts
 * runs the full set on SQLite).
 */
import { afterAll, beforeAll, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { convergeOnConcurrentEdits, survivesSigkill } from './pad-cases.ts';

let server: TestServer;
beforeAll(async () => {
	server = await startServer({ db: 'postgres' });
});
afterAll(async () => {
	await server?.cleanup();
});

it('on PostgreSQL: two stock providers converge on concurrent edits', async () => {
	await convergeOnConcurrentEdits(server);
});

it('on PostgreSQL: every edit a client had received survives a SIGKILL and restart', async () => {
	await survivesSigkill(server);
});
