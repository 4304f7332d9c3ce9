/**
 * Issue 17's pad and upgrade findings against the real server, each as the
 * attacker did it: a coachee publishing the server's read-only notice in
 * their own awareness, one connection registering thousands of awareness
 * clients or a megabyte of state that every newcomer is then sent, 20 tiny
 * sync step 1 requests answered with the whole document each, one member's
 * 45 connections shutting the coach out, and upgrades to paths nobody
 * serves left open.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { padClient, rawPadSocket, until } from '../helpers/pad.ts';
import { longItem, syncUpdateFrame } from '../helpers/hostile-updates.ts';
import { padName, SERVER_AWARENESS_ID, SERVER_STATE_KEY, serverStateOf } from '../../shared/pad/index.ts';

let server: TestServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	await server?.cleanup();
});

/** A y-websocket awareness message with these [client id, clock, state] entries. */
function awarenessFrame(entries: [number, number, unknown][]): Uint8Array {
	const inner = encoding.createEncoder();
	encoding.writeVarUint(inner, entries.length);
	for (const [id, clock, state] of entries) {
		encoding.writeVarUint(inner, id);
		encoding.writeVarUint(inner, clock);
		encoding.writeVarString(inner, JSON.stringify(state));
	}
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 1);
	encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
	return encoding.toUint8Array(e);
}

const step1Frame = (): Uint8Array => new Uint8Array([0, 0, 1, 0]); // sync, step 1, an empty state vector
const timeout = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('awareness', () => {
	it("a coachee cannot publish the server's read-only notice: the key is stripped and the server's id refused", async () => {
		const pair = await coachingPair(server.url);
		const coach = padClient(server.url, pair.coach.cookie, pair.sessionId);
		await coach.synced();
		const attacker = await rawPadSocket(server.url, pair.coachee.cookie, padName(pair.sessionId, 'shared'));
		const notice = { readOnly: true, reason: 'Session moved: continue at https://evil.example' };
		attacker.ws.send(awarenessFrame([
			[4242, 1, { user: { name: 'Sam Coachee', color: '#123' }, [SERVER_STATE_KEY]: notice, 'confidante:other': 1 }],
			[SERVER_AWARENESS_ID, 99, { [SERVER_STATE_KEY]: notice }]
		]));
		await until(() => coach.provider.awareness.getStates().has(4242), 5_000, "the coachee's own state at the coach");
		const states = coach.provider.awareness.getStates() as Map<number, Record<string, unknown>>;
		expect(states.get(4242)).toEqual({ user: { name: 'Sam Coachee', color: '#123' } });
		expect(states.has(SERVER_AWARENESS_ID)).toBe(false);
		expect(serverStateOf(states)).toBeNull();
		coach.destroy();
		attacker.ws.terminate();
	});

	it('one connection may not register thousands of awareness clients', async () => {
		const pair = await coachingPair(server.url);
		const attacker = await rawPadSocket(server.url, pair.coachee.cookie, padName(pair.sessionId, 'shared'));
		const entries: [number, number, unknown][] = [];
		for (let i = 1; i <= 5_000; i++) entries.push([1000 + i, 1, { user: { name: 'x' } }]);
		attacker.ws.send(awarenessFrame(entries));
		expect((await Promise.race([attacker.closed, timeout(5_000, { code: -1 })])).code).toBe(4422);
	});

	it('a megabyte of awareness state is refused, and a newcomer is sent a bounded awareness', async () => {
		const pair = await coachingPair(server.url);
		const name = padName(pair.sessionId, 'shared');
		const attacker = await rawPadSocket(server.url, pair.coachee.cookie, name);
		attacker.ws.send(awarenessFrame([[777, 1, { user: { name: 'x' }, junk: 'j'.repeat(900_000) }]]));
		expect((await Promise.race([attacker.closed, timeout(5_000, { code: -1 })])).code).toBe(4422);
		// Within the bound (a few KiB) state is fine, and that is all a newcomer gets.
		const honest = await rawPadSocket(server.url, pair.coachee.cookie, name);
		honest.ws.send(awarenessFrame([[778, 1, { user: { name: 'Sam' }, note: 'n'.repeat(4_000) }]]));
		const newcomer = await rawPadSocket(server.url, pair.coach.cookie, name);
		await until(() => newcomer.frames.some((f) => f[0] === 1), 5_000, 'the awareness sent to the newcomer');
		const awarenessBytes = newcomer.frames.filter((f) => f[0] === 1).reduce((n, f) => n + f.length, 0);
		expect(awarenessBytes).toBeGreaterThan(4_000);
		expect(awarenessBytes).toBeLessThan(40 * 16 * 1024);
		honest.ws.terminate();
		newcomer.ws.terminate();
	});
});

it('20 tiny sync step 1 requests do not make the server send the whole document 20 times', async () => {
	const pair = await coachingPair(server.url);
	const name = padName(pair.sessionId, 'shared');
	const writer = padClient(server.url, pair.coach.cookie, pair.sessionId);
	await writer.synced();
	// A 2.7 MB document, written in three frames under the message size limit.
	const filler = await rawPadSocket(server.url, pair.coach.cookie, name);
	for (let c = 1; c <= 3; c++) filler.ws.send(syncUpdateFrame(longItem(100 + c, 900_000)));
	await until(() => writer.doc.getText('t').length === 2_700_000, 20_000, 'the large document');
	filler.ws.terminate();
	const attacker = await rawPadSocket(server.url, pair.coachee.cookie, name);
	let received = 0;
	attacker.ws.on('message', (d: Buffer) => (received += d.length));
	for (let i = 0; i < 20; i++) attacker.ws.send(step1Frame());
	const closed = await Promise.race([attacker.closed, timeout(10_000, { code: -1 })]);
	console.log(`answered ${(received / 1e6).toFixed(1)} MB to 20 step 1 requests`);
	expect(closed.code).toBe(4529);
	// The budget: a few whole documents at once (limits.pad.answerBurstBytes), not 20.
	expect(received).toBeLessThan(12 * 1024 * 1024 + 3_000_000);
	// A reconnect does not refill it.
	const again = await rawPadSocket(server.url, pair.coachee.cookie, name);
	for (let i = 0; i < 5; i++) again.ws.send(step1Frame());
	expect((await Promise.race([again.closed, timeout(10_000, { code: -1 })])).code).toBe(4529);
	// The coach, with a budget of their own, still gets the document.
	const fresh = padClient(server.url, pair.coach.cookie, pair.sessionId);
	await fresh.synced();
	expect(fresh.doc.getText('t').length).toBe(2_700_000);
	fresh.destroy();
	writer.destroy();
}, 60_000);

it("a member's 45 connections close only their own oldest, never the coach's", async () => {
	const pair = await coachingPair(server.url);
	const name = padName(pair.sessionId, 'shared');
	const coach = await rawPadSocket(server.url, pair.coach.cookie, name);
	const coachCloses: number[] = [];
	coach.ws.on('close', (code) => coachCloses.push(code));
	const flood: Awaited<ReturnType<typeof rawPadSocket>>[] = [];
	for (let i = 0; i < 45; i++) {
		const s = await rawPadSocket(server.url, pair.coachee.cookie, name);
		// Admitted: the server's sync step 1 came.
		await until(() => s.frames.length > 0 || s.ws.readyState !== s.ws.OPEN, 5_000, 'admission');
		flood.push(s);
	}
	await until(() => flood.filter((s) => s.ws.readyState === s.ws.OPEN).length <= 4, 5_000, 'the flood trimmed to its share');
	expect(coachCloses).toEqual([]);
	expect(coach.ws.readyState).toBe(coach.ws.OPEN);
	const codes = await Promise.all(flood.slice(0, 41).map((s) => s.closed));
	expect(new Set(codes.map((c) => c.code))).toEqual(new Set([4409]));
	// The newest four are still open, and the coach can open another.
	expect(flood.slice(41).every((s) => s.ws.readyState === s.ws.OPEN)).toBe(true);
	const second = padClient(server.url, pair.coach.cookie, pair.sessionId);
	await second.synced();
	second.destroy();
	for (const s of [coach, ...flood]) s.ws.terminate();
}, 60_000);

describe('upgrades nobody serves', () => {
	/** A raw HTTP upgrade request; resolves with the status line (or '' when closed without one) and whether the socket closed. */
	function upgrade(path: string): Promise<{ status: string; closed: boolean }> {
		return new Promise((resolve) => {
			const url = new URL(server.url);
			const socket = net.connect(Number(url.port), '127.0.0.1');
			let data = '';
			const timer = setTimeout(() => {
				socket.destroy();
				resolve({ status: data.split('\r\n')[0] ?? '', closed: false });
			}, 3_000);
			socket.on('data', (d) => (data += d.toString()));
			socket.on('error', () => {});
			socket.on('close', () => {
				clearTimeout(timer);
				resolve({ status: data.split('\r\n')[0] ?? '', closed: true });
			});
			socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
		});
	}

	for (const path of ['/', '/healthz', '/padx', '/nothing-here', '/sessions/abc']) {
		it(`${path} is answered 404 and closed at once`, async () => {
			const answer = await upgrade(path);
			expect(answer.closed).toBe(true);
			expect(answer.status).toMatch(/^HTTP\/1\.1 404/);
		});
	}

	it('the pad and socket.io still take upgrades', async () => {
		const pad = await upgrade('/pad/nothing');
		expect(pad.status).toMatch(/^HTTP\/1\.1 101/);
		const io = await upgrade('/socket.io/?EIO=4&transport=websocket');
		expect(io.status).toMatch(/^HTTP\/1\.1 (101|400)/);
	});
});
