/**
 * Issue 19: strangers' refused pad handshakes must never lock a signed-in
 * member out, even from the same address (a reverse proxy or office NAT puts
 * everyone behind one). Refusals are counted by what was presented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { rawPadSocket } from '../helpers/pad.ts';
import { padName } from '../../shared/pad/index.ts';

const REFUSED_ATTEMPTS = 200;

async function handshake(base: string, cookie: string, name: string, headers: Record<string, string> = {}) {
	const { ws, closed } = await rawPadSocket(base, cookie, name, headers);
	const open = ws.readyState === ws.OPEN;
	// An admitted connection stays open; a refused one is closed with a code at once.
	const outcome = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
	ws.close();
	return { open, code: outcome?.code ?? null };
}

async function strangers(base: string, name: string, headers: Record<string, string> = {}) {
	const codes: (number | null)[] = [];
	for (let i = 0; i < REFUSED_ATTEMPTS; i += 20) {
		const batch = await Promise.all(Array.from({ length: 20 }, () => handshake(base, '', name, headers)));
		codes.push(...batch.map((b) => b.code));
	}
	return codes;
}

describe('pad refusals from the socket address', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.cleanup();
	});

	it(`${REFUSED_ATTEMPTS} refused anonymous handshakes leave a member's handshake from the same address admitted`, async () => {
		const { coach, sessionId } = await coachingPair(server.url);
		const name = padName(sessionId, 'shared');
		const codes = await strangers(server.url, name);
		expect(codes.filter((c) => c === 4401).length).toBeGreaterThan(0);
		// The strangers themselves are throttled once over the budget...
		expect(codes).toContain(4529);
		// ...and the member is not.
		const member = await handshake(server.url, coach.cookie, name);
		expect(member).toEqual({ open: true, code: null });
	});

	it("a member's own refused attempts are counted for that member only", async () => {
		const a = await coachingPair(server.url);
		const b = await coachingPair(server.url);
		// A coachee probing the coach's private notes many times...
		for (let i = 0; i < 70; i++) await handshake(server.url, a.coachee.cookie, padName(a.sessionId, 'private'));
		const probing = await handshake(server.url, a.coachee.cookie, padName(a.sessionId, 'private'));
		expect(probing.code).toBe(4529);
		// ...does not stop anyone else from the same address.
		expect(await handshake(server.url, b.coach.cookie, padName(b.sessionId, 'shared'))).toEqual({ open: true, code: null });
	});
});

describe('pad refusals behind a trusted proxy (ADDRESS_HEADER)', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer({ env: { ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1' } });
	});
	afterAll(async () => {
		await server?.cleanup();
	});

	it("counts strangers by the client address the proxy reports, not the proxy's", async () => {
		const { sessionId } = await coachingPair(server.url);
		const name = padName(sessionId, 'shared');
		const fromOne = await strangers(server.url, name, { 'x-forwarded-for': '198.51.100.7' });
		expect(fromOne).toContain(4529);
		// Another client behind the same proxy is not throttled by the first one's refusals.
		const other = await handshake(server.url, '', name, { 'x-forwarded-for': '198.51.100.8' });
		expect(other.code).toBe(4401);
	});
});
