/**
 * Pad awareness (names, cursors) across two real server processes sharing
 * one PostgreSQL schema and one Redis database (issue 16): a stock
 * y-websocket provider on A sets its awareness, a provider on B sees it (in
 * its first sync when B loads the document afterwards), sees it change and
 * sees it go when A's provider disconnects; when A is SIGKILLed, B drops A's
 * clients once A's heartbeat is gone (not after y-protocols' 30 s), and a newcomer on B no longer
 * gets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresSchema, startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { padClient, until, type PadClient } from '../helpers/pad.ts';
import { limits } from '../../server/config/index.ts';

// Redis db 6 is this feature's while developing; TEST_REDIS_URL points elsewhere.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/6';

let smtp: TestSmtp;
let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
let a: TestServer;
let b: TestServer;

const instance = (id: string): Promise<TestServer> => startServer({ env: { DATABASE_URL: schema.url, REDIS_URL, INSTANCE_ID: id, SMTP_URL: smtp.url } });

beforeAll(async () => {
	schema = await freshPostgresSchema();
	smtp = await startSmtp();
	// The first one migrates the schema; the second starts on a migrated one.
	a = await instance('aw-a');
	b = await instance('aw-b');
}, 60_000);

afterAll(async () => {
	await a?.cleanup();
	await b?.cleanup();
	await schema?.drop();
	await smtp?.close();
});

interface Presence {
	user?: { name?: string };
	cursor?: number;
}

/** What `seer` shows of `seen`'s provider (undefined: not there). */
const presenceOf = (seer: PadClient, seen: PadClient) => seer.provider.awareness.getStates().get(seen.doc.clientID) as Presence | undefined;

function logsOnFailure(err: unknown): never {
	console.log('A', a.logs.filter((l) => /aware|Redis|warn|error/i.test(l)).slice(-20).join('\n'));
	console.log('B', b.logs.filter((l) => /aware|Redis|warn|error/i.test(l)).slice(-20).join('\n'));
	throw err;
}

describe('pad awareness on two instances (Redis)', () => {
	it("B shows A's name and cursor (in a newcomer's first sync), its changes, and its removal on disconnect", async () => {
		const pair = await coachingPair(a.url);
		const onA = padClient(a.url, pair.coach.cookie, pair.sessionId);
		let onB: PadClient | null = null;
		try {
			await onA.synced();
			onA.provider.awareness.setLocalState({ user: { name: 'Coach on A' }, cursor: 3 });
			// B has not loaded the document yet: it takes A's awareness from Redis when it does.
			await new Promise((r) => setTimeout(r, 300));
			const newcomer = padClient(b.url, pair.coachee.cookie, pair.sessionId);
			onB = newcomer;
			await newcomer.synced();
			expect(presenceOf(newcomer, onA), "A's awareness in B's first sync").toEqual({ user: { name: 'Coach on A' }, cursor: 3 });
			newcomer.provider.awareness.setLocalState({ user: { name: 'Coachee on B' }, cursor: 0 });
			await until(() => presenceOf(onA, newcomer)?.user?.name === 'Coachee on B', 5_000, "B's awareness to reach A");

			onA.provider.awareness.setLocalState({ user: { name: 'Coach on A' }, cursor: 17 });
			await until(() => presenceOf(newcomer, onA)?.cursor === 17, 5_000, "A's moved cursor to reach B").catch(logsOnFailure);

			const started = Date.now();
			onA.destroy();
			await until(() => presenceOf(newcomer, onA) === undefined, 5_000, "A's client to leave B's view").catch(logsOnFailure);
			expect(Date.now() - started).toBeLessThan(5_000);
		} finally {
			onA.destroy();
			onB?.destroy();
		}
	}, 60_000);

	it("a SIGKILLed instance's clients leave the other's view once its heartbeat is gone", async () => {
		const pair = await coachingPair(a.url);
		const onA = padClient(a.url, pair.coach.cookie, pair.sessionId);
		const onB = padClient(b.url, pair.coachee.cookie, pair.sessionId);
		try {
			await Promise.all([onA.synced(), onB.synced()]);
			onA.provider.awareness.setLocalState({ user: { name: 'Doomed coach' }, cursor: 1 });
			await until(() => presenceOf(onB, onA)?.user?.name === 'Doomed coach', 5_000, "A's awareness to reach B").catch(logsOnFailure);
			const killed = Date.now();
			await a.stop('SIGKILL');
			// B's backstop poll (limits.clusterPad.quietPollMs) finds A's heartbeat gone (limits.clusterRooms.heartbeatTtlMs)
			// and drops A's clients, well before y-protocols' own 30 s timeout.
			await until(() => presenceOf(onB, onA) === undefined, 25_000, "the dead instance's client to leave B");
			const took = Date.now() - killed;
			expect(took).toBeLessThan(limits.clusterRooms.heartbeatTtlMs + limits.clusterPad.quietPollMs + 5_000);
			// B's server dropped it too, not only B's client: a newcomer on B does not get it.
			const late = padClient(b.url, pair.coachee.cookie, pair.sessionId);
			try {
				await late.synced();
				await new Promise((r) => setTimeout(r, 300));
				expect(presenceOf(late, onA)).toBeUndefined();
			} finally {
				late.destroy();
			}
			console.log(`awareness of a SIGKILLed instance dropped after ${took} ms`);
		} finally {
			onA.destroy();
			onB.destroy();
		}
	}, 90_000);
});
