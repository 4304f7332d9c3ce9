/**
 * The foundation over real HTTP and socket.io, on SQLite and on PostgreSQL:
 * accounts, engagements, invites, sessions, and who may see what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { PROTOCOL_VERSION, type Joined, type Participant } from '../../shared/protocol/index.ts';

describe.each<DbKind>(['sqlite', 'postgres'])('foundation on %s', (db) => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer({ db });
	});
	afterAll(async () => {
		await server?.cleanup();
	});

	it('answers health and readiness', async () => {
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		const ready = await fetch(`${server.url}/readyz`);
		expect(ready.status).toBe(200);
		expect(await ready.text()).toBe('ready');
	});

	it('signs up, refuses duplicates and weak passwords, signs in and out', async () => {
		const email = uniqueEmail('dana');
		const v = new Visitor(server.url);
		await v.signUp('Dana', email);
		expect(v.cookie).toMatch(/^confidante_session=[a-z2-7]{32}$/);
		const home = await (await v.get('/')).text();
		expect(home).toContain('Hello, Dana');

		// The same answer as for a new address (no enumeration; tests/integration/accounts.test.ts has the details).
		const dup = await new Visitor(server.url).action('/signup', { name: 'Dana again', email: email.toUpperCase(), password: 'another long password' });
		expect(dup).toMatchObject({ type: 'success', status: 200, data: { sent: email } });

		const weak = await new Visitor(server.url).action('/signup', { name: 'Eli', email: uniqueEmail('eli'), password: 'short' });
		expect(weak).toMatchObject({ type: 'failure', status: 400, data: { error: { field: 'password', message: 'Use at least 10 characters.' } } });
		const badEmail = await new Visitor(server.url).action('/signup', { name: 'Eli', email: 'not-an-email', password: 'long enough password' });
		expect(badEmail.data.error).toMatchObject({ field: 'email', code: 'invalid_input' });
		expect(badEmail.data.values.password).toBeUndefined();

		const wrong = await new Visitor(server.url).action('/signin', { email, password: 'wrong password!!' });
		expect(wrong).toMatchObject({ type: 'failure', status: 401 });

		const again = new Visitor(server.url);
		await again.signIn(email);
		const kept = again.cookie;
		const out = await again.post('/signout', {});
		expect(out.status).toBe(303);
		expect(again.cookie).toBe('');
		// The old token no longer works on the server, even for someone who kept it.
		const replay = await fetch(`${server.url}/`, { headers: { cookie: kept } });
		expect(await replay.text()).not.toContain('Hello, Dana');
		// Other sessions of the same person are unaffected.
		expect(await (await v.get('/')).text()).toContain('Hello, Dana');
	});

	it('rate-limits repeated wrong passwords', async () => {
		const email = uniqueEmail('fay');
		await new Visitor(server.url).signUp('Fay', email);
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await new Visitor(server.url).action('/signin', { email, password: `wrong-password-${i}` })).status);
		expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
		expect(statuses.slice(5)).toEqual([429, 429]);
	});

	it('runs the coach–coachee flow: engagement, invite, session on both dashboards', async () => {
		const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
		for (const person of [coach, coachee]) {
			const dash = await (await person.get('/')).text();
			expect(dash).toContain('Leading the new team');
			expect(dash).toContain(`/sessions/${sessionId}`);
			expect((await person.get(`/engagements/${engagementId}`)).status).toBe(200);
			expect((await person.get(`/sessions/${sessionId}`)).status).toBe(200);
		}
		const page = await (await coachee.get(`/engagements/${engagementId}`)).text();
		expect(page).toContain('Sam Coachee');
		expect(page).toContain('Casey Coach');
		// Only the coach schedules and invites.
		expect(await coachee.action(`/engagements/${engagementId}?/invite`)).toMatchObject({ type: 'failure', status: 403 });
	});

	it('makes invites single use and refuses the coach their own link', async () => {
		const coach = new Visitor(server.url);
		await coach.signUp('Gus', uniqueEmail('gus'));
		const id = await coach.createEngagement();
		const invite = await coach.createInvite(id);
		expect(await coach.acceptInvite(invite)).toMatchObject({ type: 'failure', status: 409 });
		const first = new Visitor(server.url);
		await first.signUp('Hana', uniqueEmail('hana'));
		expect((await first.acceptInvite(invite)).type).toBe('redirect');
		const second = new Visitor(server.url);
		await second.signUp('Ivo', uniqueEmail('ivo'));
		expect(await second.acceptInvite(invite)).toMatchObject({ type: 'failure', status: 410 });
		expect(await (await second.get(invite)).text()).toContain('already been used');
		expect(await (await second.get('/invite/nosuchtoken')).text()).toContain('not valid');
	});

	it('gives a third user nothing of an engagement: pages, actions and sockets', async () => {
		const { engagementId, sessionId } = await coachingPair(server.url);
		const outsider = new Visitor(server.url);
		await outsider.signUp('Olly Outsider', uniqueEmail('olly'));
		for (const path of [`/engagements/${engagementId}`, `/sessions/${sessionId}`]) {
			const r = await outsider.get(path);
			expect(r.status).toBe(404);
			const body = await r.text();
			expect(body).not.toContain('Leading the new team');
			expect(body).not.toContain('Casey Coach');
		}
		expect(await outsider.action(`/engagements/${engagementId}?/invite`)).toMatchObject({ status: 404 });
		expect(await outsider.action(`/engagements/${engagementId}?/schedule`, { scheduledAt: new Date(Date.now() + 3600e3).toISOString(), durationMinutes: '60' })).toMatchObject({ status: 404 });
		expect(await (await outsider.get('/')).text()).not.toContain('Leading the new team');

		const socket = connect(server.url, outsider.cookie);
		await connected(socket);
		const joined = await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
		expect(joined).toMatchObject({ ok: false, error: { code: 'not_found' } });
		socket.close();
	});

	it('signed-out visitors are sent to sign in and refused on sockets', async () => {
		const { sessionId } = await coachingPair(server.url);
		const anon = new Visitor(server.url);
		const r = await anon.get(`/sessions/${sessionId}`);
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(`/sessions/${sessionId}`)}`);
		const socket = connect(server.url, '');
		await expect(connected(socket)).rejects.toThrow(/Sign in/);
		socket.close();
	});

	it('joins a session over socket.io as a member and shows presence to the other', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const a = connect(server.url, coach.cookie);
		const b = connect(server.url, coachee.cookie);
		await Promise.all([connected(a), connected(b)]);
		const ja = await request<Joined>(a, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
		expect(ja).toMatchObject({ ok: true, value: { role: 'coach', session: { status: 'live', number: 1 } } });
		const seen = new Promise<{ participants: Participant[] }>((resolve) => a.on('presence:update', (m) => m.participants.length === 2 && resolve(m)));
		const jb = await request<Joined>(b, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
		expect(jb.ok && jb.value.role).toBe('coachee');
		expect((await seen).participants.map((p) => p.name).sort()).toEqual(['Casey Coach', 'Sam Coachee']);
		// Malformed and mistyped payloads get an error ack, not a crash.
		expect(await request(a, 'session:join', { sessionId: 42 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
		expect(await request(a, 'session:join', { sessionId, protocolVersion: 999 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
		a.close();
		b.close();
	});

	it('refuses cross-site requests: form posts and socket handshakes from another origin', async () => {
		const v = new Visitor(server.url);
		await v.signUp('Kim', uniqueEmail('kim'));
		const r = await fetch(`${server.url}/engagements/new`, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: 'https://evil.example', cookie: v.cookie, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'kind=coaching&title=Evil'
		});
		expect(r.status).toBe(403);
		const json = await fetch(`${server.url}/engagements/new`, {
			method: 'POST',
			headers: { origin: 'https://evil.example', cookie: v.cookie, 'content-type': 'application/json' },
			body: '{}'
		});
		expect(json.status).toBe(403);
		const s = connect(server.url, v.cookie, { origin: 'https://evil.example' });
		await expect(connected(s)).rejects.toThrow();
		s.close();
	});

	it('refuses oversized and malformed bodies and keeps running', async () => {
		const v = new Visitor(server.url);
		await v.signUp('Lee', uniqueEmail('lee'));
		const big = await v.post('/engagements/new', { kind: 'coaching', title: 'x', goals: 'y'.repeat(600_000) });
		expect(big.status).toBe(413);
		const garbage = await fetch(`${server.url}/signin`, {
			method: 'POST',
			headers: { origin: server.url, 'content-type': 'multipart/form-data; boundary=nope', 'x-sveltekit-action': 'true' },
			body: '--not-really\r\n'
		});
		expect(garbage.status).toBeGreaterThanOrEqual(400);
		expect(garbage.status).toBeLessThan(500);
		const long = await new Visitor(server.url).action('/engagements/new', { title: 'x'.repeat(200) });
		expect(long.type).toBe('redirect'); // signed out: sent to sign in, nothing stored
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});
});

describe('configuration', () => {
	it('stops with a clear message naming a bad value', async () => {
		await expect(startServer({ env: { PORT: 'eighty', DATABASE_URL: 'mysql://nope' } })).rejects.toThrow(/PORT:.*\n.*DATABASE_URL: must be a postgres/s);
	});
});
