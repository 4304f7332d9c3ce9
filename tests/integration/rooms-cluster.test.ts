/**
 * Rooms across two real instances on one PostgreSQL and one Redis: presence,
 * the reconnect grace, a SIGKILLed instance's people, the shown prompt card,
 * the shared sign-in throttle, and an instance cut off from Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstances, redisProxy } from '../helpers/rooms-cluster.ts';
import { AddressedVisitor, Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION, type Joined, type Participant, type ShownCard } from '../../shared/protocol/index.ts';
import type { TestServer } from '../helpers/server.ts';

const GRACE_S = 2;
const join = (s: ClientSocket, sessionId: string) => request<Joined>(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
const names = (ps: Participant[]) => ps.map((p) => `${p.name}:${p.presence}`).sort();

/** Resolves with the first presence update `ok` accepts. */
function presenceWhere(s: ClientSocket, ok: (ps: Participant[]) => boolean, timeoutMs = 20_000): Promise<Participant[]> {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('no such presence update')), timeoutMs);
		s.on('presence:update', (m) => {
			if (!ok(m.participants)) return;
			clearTimeout(t);
			resolve(m.participants);
		});
	});
}

async function socketOn(server: TestServer, v: Visitor) {
	const s = connect(server.url, v.cookie);
	await connected(s);
	return s;
}

describe('rooms across instances', () => {
	let cluster: Awaited<ReturnType<typeof startInstances>>;
	let a: TestServer;
	let b: TestServer;
	const open: ClientSocket[] = [];
	beforeAll(async () => {
		cluster = await startInstances(['a', 'b'], { RECONNECT_GRACE_SECONDS: String(GRACE_S) });
		[a, b] = cluster.servers as [TestServer, TestServer];
	});
	afterAll(async () => {
		for (const s of open) s.close();
		await cluster?.close();
	});
	const on = async (server: TestServer, v: Visitor) => {
		const s = await socketOn(server, v);
		open.push(s);
		return s;
	};

	it('coach on A sees the coachee on B join and leave', async () => {
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const sa = await on(a, coach);
		const sb = await on(b, coachee);
		expect((await join(sa, sessionId)).ok).toBe(true);
		const both = presenceWhere(sa, (ps) => ps.length === 2);
		const jb = await join(sb, sessionId);
		expect(jb.ok && names(jb.value.participants)).toEqual(['Casey Coach:online', 'Sam Coachee:online']);
		expect(names(await both)).toEqual(['Casey Coach:online', 'Sam Coachee:online']);
		const alone = presenceWhere(sa, (ps) => ps.length === 1);
		expect(await request(sb, 'session:leave', { sessionId })).toEqual({ ok: true, value: true });
		expect(names(await alone)).toEqual(['Casey Coach:online']);
	});

	it('keeps a coachee through the grace when they come back on the other instance, and lets them go after it', async () => {
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const sa = await on(a, coach);
		await join(sa, sessionId);
		const sb = await on(b, coachee);
		await join(sb, sessionId);
		const reconnecting = presenceWhere(sa, (ps) => ps.some((p) => p.presence === 'reconnecting'));
		sb.close();
		expect(names(await reconnecting)).toEqual(['Casey Coach:online', 'Sam Coachee:reconnecting']);
		// Back within the grace, on A this time.
		const back = await on(a, coachee);
		const rejoined = await join(back, sessionId);
		expect(rejoined.ok && names(rejoined.value.participants)).toEqual(['Casey Coach:online', 'Sam Coachee:online']);
		const seen: Participant[][] = [];
		sa.on('presence:update', (m) => seen.push(m.participants));
		await new Promise((r) => setTimeout(r, (GRACE_S + 2) * 1000));
		// The grace started on B ran out while the coachee was back: nobody left.
		expect(seen.every((ps) => ps.length === 2)).toBe(true);
		// Gone for good: after the grace the coach is alone.
		const alone = presenceWhere(sa, (ps) => ps.length === 1);
		const closedAt = Date.now();
		back.close();
		expect(names(await alone)).toEqual(['Casey Coach:online']);
		expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_S * 1000 - 200);
	});

	it('shows the coach’s card to a coachee on the other instance, and the dismissal back', async () => {
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const sa = await on(a, coach);
		await join(sa, sessionId);
		const sb = await on(b, coachee);
		await join(sb, sessionId);
		const card = new Promise<{ cardId: string; text: string }>((resolve) => sb.once('prompts:card', resolve));
		const shown = await request<ShownCard>(sa, 'prompts:show', { sessionId, id: 'goal-focus-today' });
		expect(shown.ok).toBe(true);
		const seen = await card;
		expect(shown.ok && seen.cardId).toBe(shown.ok && shown.value.cardId);
		// A coachee's second tab, on A, asks what is up.
		const tab = await on(a, coachee);
		await join(tab, sessionId);
		expect(await request(tab, 'prompts:current-card', { sessionId })).toMatchObject({ ok: true, value: { cardId: seen.cardId } });
		const state = new Promise<{ card: ShownCard | null }>((resolve) => sa.on('prompts:card-state', (m) => m.card?.dismissedBy.length && resolve(m)));
		expect(await request(sb, 'prompts:dismiss', { sessionId, cardId: seen.cardId })).toEqual({ ok: true, value: true });
		expect((await state).card?.dismissedBy.map((d) => d.name)).toEqual(['Sam Coachee']);
		expect(await request(tab, 'prompts:current-card', { sessionId })).toEqual({ ok: true, value: null });
	});

	it('asks a coachee’s page on the other instance for unconfirmed pad edits before the coach ends', async () => {
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const sa = await on(a, coach);
		await join(sa, sessionId);
		const sb = await on(b, coachee);
		await join(sb, sessionId);
		(sb as unknown as { on(e: string, f: (p: unknown, ack: (r: unknown) => void) => void): void }).on('session:unsynced?', (_p, ack) => ack({ unsynced: 3 }));
		expect(await request(sa, 'session:end-check', { sessionId })).toEqual({ ok: true, value: { unsynced: ['Sam Coachee'], unanswered: 0 } });
	});

	it('counts wrong passwords from one address on both instances together', async () => {
		const email = uniqueEmail('fay');
		await new Visitor(a.url).signUp('Fay', email);
		const address = `203.0.113.${Math.floor(Math.random() * 250)}`;
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await new AddressedVisitor(i % 2 ? b.url : a.url, address).action('/signin', { email, password: `wrong-password-${i}` })).status);
		expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
	});

	it('lets the people of a SIGKILLed instance go after its heartbeat and the grace', async () => {
		const { coach, coachee, sessionId } = await coachingPair(a.url);
		const sa = await on(a, coach);
		await join(sa, sessionId);
		const sb = await on(b, coachee);
		await join(sb, sessionId);
		const reconnecting = presenceWhere(sa, (ps) => ps.some((p) => p.name === 'Sam Coachee' && p.presence === 'reconnecting'));
		const alone = presenceWhere(sa, (ps) => ps.length === 1, 30_000);
		const killedAt = Date.now();
		await b.stop('SIGKILL');
		expect(names(await reconnecting)).toEqual(['Casey Coach:online', 'Sam Coachee:reconnecting']);
		expect(names(await alone)).toEqual(['Casey Coach:online']);
		expect(Date.now() - killedAt).toBeGreaterThanOrEqual(GRACE_S * 1000);
	});
});

describe('an instance cut off from Redis', () => {
	it('reports not ready, refuses joins and closes its sockets; ready again when Redis answers', async () => {
		const proxy = await redisProxy();
		const cluster = await startInstances(['cut'], {}, () => proxy.url());
		const [c] = cluster.servers as [TestServer];
		try {
			expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
			const { coach, sessionId } = await coachingPair(c.url);
			const s = await socketOn(c, coach);
			expect((await join(s, sessionId)).ok).toBe(true);
			const closing = new Promise<{ reason: string }>((resolve) => s.once('server:closing', resolve));
			const disconnected = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
			await proxy.stop();
			expect((await fetch(`${c.url}/readyz`)).status).toBe(503);
			expect((await closing).reason).toMatch(/reconnecting you/);
			await disconnected;
			const again = connect(c.url, coach.cookie);
			await expect(connected(again)).rejects.toThrow(/lost its link/);
			again.close();
			await proxy.start();
			await expect.poll(async () => (await fetch(`${c.url}/readyz`)).status, { timeout: 15_000, interval: 250 }).toBe(200);
			const back = await socketOn(c, coach);
			expect(await join(back, sessionId)).toMatchObject({ ok: true, value: { participants: [{ name: 'Casey Coach', presence: 'online' }] } });
			back.close();
		} finally {
			await cluster.close();
			await proxy.stop();
		}
	}, 60_000);
});
