/**
 * The socket protocol's edges over the real server: every request the shared
 * map defines, sent with a payload its schema refuses, and names the map does
 * not have, are each answered with a coded ack, and the server keeps serving;
 * a page built for another protocol version is refused at the handshake with
 * words that tell the person to reload.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION, clientRequests, type RequestName } from '../../shared/protocol/index.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	for (const s of sockets) s.close();
	await server?.cleanup();
});

async function socketOf(cookie: string): Promise<ClientSocket> {
	const s = connect(server.url, cookie);
	sockets.push(s);
	await connected(s);
	return s;
}

// Each is refused by every request schema: none takes a bare value, and all are strict objects.
const refusedPayloads: unknown[] = [null, 'session', { unexpected: true }];

it('answers every request with a payload its schema refuses with invalid_input, and keeps serving', async () => {
	const { coach, sessionId } = await coachingPair(server.url);
	const s = await socketOf(coach.cookie);
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const names = Object.keys(clientRequests) as RequestName[];
	expect(names.length).toBeGreaterThanOrEqual(29);
	let t = s;
	for (const [i, name] of names.entries()) {
		// A fresh socket now and then: one socket's event budget (limits.socket) is smaller than this test.
		if (i > 0 && i % 15 === 0) t = await socketOf(coach.cookie);
		for (const payload of refusedPayloads) {
			expect(clientRequests[name].payload.safeParse(payload).success, `${name} schema takes ${JSON.stringify(payload)}`).toBe(false);
			const answer = await request(t, name, payload);
			expect(answer, `${name} with ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining(name) } });
		}
	}
	// Still the same socket, still serving, and the session is untouched.
	expect(s.connected).toBe(true);
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true, value: { role: 'coach', session: { status: 'live' } } });
	expect(await request(s, 'prompts:load', { sessionId })).toMatchObject({ ok: true });
});

it('answers names the protocol does not have with unknown_event, and never hands them to a listener', async () => {
	const { coach, sessionId } = await coachingPair(server.url);
	const s = await socketOf(coach.cookie);
	// `error` has a listener on the server socket; `__proto__` and `toString` are names every object has.
	for (const name of ['session:teleport', 'media:', 'error', '__proto__', 'toString', 'x'.repeat(5000)]) {
		const answer = await request(s, name, { sessionId });
		expect(answer, name.slice(0, 40)).toMatchObject({ ok: false, error: { code: 'unknown_event', message: expect.stringContaining('does not know') } });
	}
	// Several arguments, no payload, or no ack at all: still no throw, and the socket stays.
	const wire: Socket = s;
	expect(await wire.timeout(5000).emitWithAck('session:teleport', 1, 2, 3)).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
	expect(await wire.timeout(5000).emitWithAck('session:join')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	wire.emit('session:teleport', { sessionId });
	wire.emit('session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	expect(s.connected).toBe(true);
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
});

it('still limits a socket that floods unknown events', async () => {
	const { coach } = await coachingPair(server.url);
	const s = await socketOf(coach.cookie);
	const answers = await Promise.all(Array.from({ length: 200 }, () => request(s, 'session:teleport', {}, 15_000)));
	const codes = new Set(answers.map((a) => (a.ok ? 'ok' : a.error.code)));
	expect(codes).toEqual(new Set(['unknown_event', 'rate_limited']));
});

it('refuses a page from another protocol version at the handshake, telling the person to reload', async () => {
	const { coach } = await coachingPair(server.url);
	for (const auth of [{ protocolVersion: PROTOCOL_VERSION - 1 }, { protocolVersion: String(PROTOCOL_VERSION) }, {}]) {
		const s = connect(server.url, coach.cookie, {}, auth);
		sockets.push(s);
		const err = await connected(s).then(
			() => null,
			(e: Error & { data?: unknown }) => e
		);
		expect(err, JSON.stringify(auth)).toMatchObject({
			message: 'This page is from an older version of Confidante. Reload the page to continue.',
			data: { code: 'outdated_client' }
		});
	}
	// The current version gets in.
	await socketOf(coach.cookie);
});
