/**
 * Issue 17: a coachee opening a session booked a year ahead started it (it
 * went live, then auto-ended 15 minutes later for good and sent summaries).
 * A session now starts only inside its window around the booked time
 * (limits.room.startWindow) or when the coach starts it; opening the page
 * is not starting.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION, type Joined } from '../../shared/protocol/index.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	for (const s of sockets) s.close();
	await server?.cleanup();
});

async function joinAs(cookie: string, sessionId: string) {
	const s = connect(server.url, cookie);
	sockets.push(s);
	await connected(s);
	const joined = await request<Joined>(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	if (!joined.ok) throw new Error(JSON.stringify(joined));
	return { s, joined: joined.value };
}

it('a session booked a year ahead stays scheduled when a coachee (or the coach) opens it; the coach can start it', async () => {
	const pair = await coachingPair(server.url);
	const yearAhead = await pair.coach.scheduleSession(pair.engagementId, 365 * 24 * 60);
	const coachee = await joinAs(pair.coachee.cookie, yearAhead);
	expect(coachee.joined.session.status).toBe('scheduled');
	expect(coachee.joined.session.startedAt).toBeNull();
	// It says when it opens: a quarter of an hour before the booked time.
	expect(coachee.joined.session.opensAt).toBe(coachee.joined.session.scheduledAt - 15 * 60_000);
	const coach = await joinAs(pair.coach.cookie, yearAhead);
	expect(coach.joined.session.status).toBe('scheduled');
	// Only the coach starts it early.
	expect(await request(coachee.s, 'session:start', { sessionId: yearAhead })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
	const told = new Promise<{ sessionId: string }>((resolve) => coachee.s.once('session:started', resolve));
	expect(await request(coach.s, 'session:start', { sessionId: yearAhead })).toMatchObject({ ok: true });
	expect(await told).toMatchObject({ sessionId: yearAhead });
	expect((await joinAs(pair.coachee.cookie, yearAhead)).joined.session.status).toBe('live');
});

it('a session joined inside its window goes live as before', async () => {
	const pair = await coachingPair(server.url); // booked 10 minutes from now
	const { joined } = await joinAs(pair.coachee.cookie, pair.sessionId);
	expect(joined.session.status).toBe('live');
	expect(joined.session.startedAt).not.toBeNull();
});

it('the start request refuses someone who has not joined the session', async () => {
	const pair = await coachingPair(server.url);
	const s = connect(server.url, pair.coach.cookie);
	sockets.push(s);
	await connected(s);
	expect(await request(s, 'session:start', { sessionId: pair.sessionId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
});
