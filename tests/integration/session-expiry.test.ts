/**
 * Issue 17: a sign-in session's live connections close when the session is
 * over, not only on sign-out here: when it expires (a test server with a
 * short SESSION_LIFETIME_MINUTES), and when another instance of the server
 * ends it (two servers on one PostgreSQL database). Other people's
 * connections stay; the expired session cannot open new ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair } from '../helpers/http.ts';
import { padClient, rawPadSocket, until } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { insertAction, newAction, padName, readActions } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

/** Generous: the session lasts 30 s unused, and the server re-checks at the earliest expiry and at least every limits.auth.liveCheckMs (15 s). */
const WAIT_MS = 60_000;

/** A person's socket (in the session's room) and shared pad, with how each ended. */
async function liveOf(base: string, who: Visitor, sessionId: string) {
	const pad = padClient(base, who.cookie, sessionId);
	await pad.synced();
	const socket = connect(base, who.cookie);
	await connected(socket);
	expect((await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).ok).toBe(true);
	let disconnected = '';
	socket.on('disconnect', (why) => (disconnected = why));
	return { pad, socket, disconnected: () => disconnected, close: () => (pad.destroy(), socket.close()) };
}

describe('an expired session', () => {
	let server: TestServer;
	beforeAll(async () => {
		// 30 s: long enough to set up an engagement on a busy machine, short enough to wait for.
		server = await startServer({ env: { SESSION_LIFETIME_MINUTES: '0.5' } });
	});
	afterAll(async () => {
		await server?.cleanup();
	});

	it('closes its socket.io and pad connections by itself; the coach, still active, keeps theirs', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const coachLive = await liveOf(server.url, coach, sessionId);
		const coacheeLive = await liveOf(server.url, coachee, sessionId);
		insertAction(coacheeLive.pad.doc, newAction('coachee', { text: 'before expiry' }));
		await until(() => readActions(coachLive.pad.doc).length === 1, 5000, 'the edit before expiry');

		// The coach keeps using the app (which extends their session); the coachee does not.
		const keepAlive = setInterval(() => void coach.get('/'), 1000);
		try {
			await until(() => coacheeLive.disconnected() !== '' && coacheeLive.pad.closes.some((c) => c.code === 4401), WAIT_MS, 'the coachee’s connections closed');
			expect(coacheeLive.disconnected()).toBe('io server disconnect');
			coacheeLive.pad.provider.disconnect(); // as the page does once told it is signed out
			insertAction(coacheeLive.pad.doc, newAction('coachee', { text: 'after expiry' }));
			await new Promise((r) => setTimeout(r, 500));
			expect(readActions(coachLive.pad.doc).map((a) => a.text)).toEqual(['before expiry']);
			expect(coachLive.disconnected()).toBe('');
			expect(coachLive.pad.closes).toEqual([]);
			// The expired session opens nothing new.
			expect((await (await coachee.get('/')).text())).not.toContain('Sam Coachee');
			expect((await (await rawPadSocket(server.url, coachee.cookie, padName(sessionId, 'shared'))).closed).code).toBe(4401);
			await expect(connected(connect(server.url, coachee.cookie))).rejects.toThrow();
		} finally {
			clearInterval(keepAlive);
			coachLive.close();
			coacheeLive.close();
		}
	}, 120_000);
});

describe('a session ended by another instance of the server', () => {
	let first: TestServer;
	let second: TestServer;
	beforeAll(async () => {
		first = await startServer({ db: 'postgres' });
		second = await startServer({ env: { DATABASE_URL: first.env.DATABASE_URL! } });
	});
	afterAll(async () => {
		await second?.cleanup();
		await first?.cleanup();
	});

	it('closes its connections on this instance within the re-check time', async () => {
		const { coach, coachee, sessionId } = await coachingPair(first.url);
		const coachLive = await liveOf(first.url, coach, sessionId);
		const coacheeLive = await liveOf(first.url, coachee, sessionId);
		try {
			// The coachee signs out through the other instance (a load balancer sent the request there).
			const elsewhere = new Visitor(second.url);
			elsewhere.cookie = coachee.cookie;
			expect((await elsewhere.post('/signout', {})).status).toBe(303);
			await until(() => coacheeLive.disconnected() !== '' && coacheeLive.pad.closes.some((c) => c.code === 4401), WAIT_MS, 'the coachee’s connections closed');
			expect(coacheeLive.disconnected()).toBe('io server disconnect');
			expect(coachLive.disconnected()).toBe('');
			expect(coachLive.pad.closes).toEqual([]);
		} finally {
			coachLive.close();
			coacheeLive.close();
		}
	}, 120_000);
});
