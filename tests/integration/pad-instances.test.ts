/**
 * The pad on two real server processes sharing one PostgreSQL schema and one
 * Redis database (issue 16): a stock y-websocket client on each instance,
 * edits travel both ways through the fan-out, the seqs in PostgreSQL are
 * 1..n whichever instance stored them, SIGKILLing one instance while both
 * type loses no edit the other side had received, and ending the session on
 * one instance seals the pad on the other.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { freshPostgresSchema, startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { padClient, until, type PadClient } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { insertAction, newAction, padName, readActions, serverStateOf } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

// Redis db 1 is this feature's while developing; TEST_REDIS_URL points elsewhere.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

/**
 * A TCP proxy in front of Redis that the test can cut: paused, it drops every
 * connection and refuses new ones, as a network partition would.
 */
async function redisProxy(): Promise<{ port: number; pause(): void; resume(): void; close(): Promise<void> }> {
	const target = new URL(REDIS_URL);
	const sockets = new Set<net.Socket>();
	let paused = false;
	const server = net.createServer((client) => {
		if (paused) return client.destroy();
		const upstream = net.connect(Number(target.port || 6379), target.hostname);
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
			s.on('error', () => {});
		}
		client.pipe(upstream).pipe(client);
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const dropAll = () => {
		for (const s of sockets) s.destroy();
	};
	return {
		port: (server.address() as net.AddressInfo).port,
		pause() {
			paused = true;
			dropAll();
		},
		resume() {
			paused = false;
		},
		close: () =>
			new Promise<void>((resolve) => {
				dropAll();
				server.close(() => resolve());
			})
	};
}

let proxy: Awaited<ReturnType<typeof redisProxy>>;
// Either instance may send a sign-up's mail (the mail queue is shared): both send to one test SMTP server.
let smtp: TestSmtp;
let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
let a: TestServer;
let b: TestServer;

/** One more server process on the shared schema and Redis (the helper's DATABASE_URL from env: the schema is not its to drop). */
const instance = (id: string, redisUrl = REDIS_URL): Promise<TestServer> => startServer({ env: { DATABASE_URL: schema.url, REDIS_URL: redisUrl, INSTANCE_ID: id, SMTP_URL: smtp.url, LOG_LEVEL: 'debug' } });

beforeAll(async () => {
	schema = await freshPostgresSchema();
	// The first one migrates the schema; the second starts on a migrated one.
	proxy = await redisProxy();
	smtp = await startSmtp();
	a = await instance('pad-a');
	// B reaches Redis through the proxy, so a test can cut it off.
	b = await instance('pad-b', `redis://127.0.0.1:${proxy.port}${new URL(REDIS_URL).pathname}`);
}, 60_000);

afterAll(async () => {
	await a?.cleanup();
	await b?.cleanup();
	await schema?.drop();
	await proxy?.close();
	await smtp?.close();
});

async function seqsOf(doc: string): Promise<number[]> {
	const client = new pg.Client({ connectionString: schema.url });
	await client.connect();
	try {
		const r = await client.query<{ seq: number }>('SELECT seq FROM pad_updates WHERE doc = $1 ORDER BY seq', [doc]);
		return r.rows.map((x) => x.seq);
	} finally {
		await client.end();
	}
}

const textsOf = (c: PadClient, prefix: string) => readActions(c.doc).filter((x) => x.text.startsWith(prefix)).map((x) => x.text);

describe('the pad on two instances (PostgreSQL and Redis)', () => {
	it('edits made on either instance reach the other, and PostgreSQL holds seqs 1..n', async () => {
		const pair = await coachingPair(a.url);
		const coach = padClient(a.url, pair.coach.cookie, pair.sessionId);
		const coachee = padClient(b.url, pair.coachee.cookie, pair.sessionId);
		try {
			await Promise.all([coach.synced(), coachee.synced()]);
			for (let i = 0; i < 20; i++) {
				insertAction(coach.doc, newAction('coach', { text: `from-a ${i}` }));
				insertAction(coachee.doc, newAction('coachee', { text: `from-b ${i}` }));
				await new Promise((r) => setTimeout(r, 5));
			}
			await until(() => textsOf(coachee, 'from-a').length === 20 && textsOf(coach, 'from-b').length === 20, 15_000, 'both instances to relay the other side');
			await until(() => readActions(coach.doc).length === 40 && readActions(coachee.doc).length === 40, 5_000, 'both to hold everything');
			const stored = await seqsOf(padName(pair.sessionId, 'shared'));
			expect(stored.length).toBeGreaterThanOrEqual(40);
			expect(stored).toEqual(stored.map((_, i) => i + 1));
			// They went through the document's fan-out stream, each after its commit, under the seq PostgreSQL gave it.
			const redis = new Redis(REDIS_URL);
			try {
				const entries = await redis.xrange(`pad:${padName(pair.sessionId, 'shared')}`, '-', '+');
				// The stream carries awareness entries too (field `a`): the updates are the ones with a seq.
				const seqs = entries.filter(([, f]) => f[2] === 's').map(([, f]) => Number(f[3])).sort((x, y) => x - y);
				expect(seqs).toEqual(stored);
			} finally {
				redis.disconnect();
			}
		} finally {
			coach.destroy();
			coachee.destroy();
		}
	}, 90_000);

	it('ending the session on one instance seals the pad open on the other', async () => {
		const pair = await coachingPair(a.url).catch((err: unknown) => {
			console.log('A', a.logs.filter((l) => /mail|warn|error/i.test(l)).slice(-15).join('\n'));
			console.log('B', b.logs.filter((l) => /mail|warn|error/i.test(l)).slice(-15).join('\n'));
			throw err;
		});
		const onB = padClient(b.url, pair.coachee.cookie, pair.sessionId);
		try {
			await onB.synced();
			insertAction(onB.doc, newAction('coachee', { text: 'before the end' }));
			await until(() => readActions(onB.doc).length === 1, 5_000, 'the edit to be stored');
			// Ending on instance A seals the pad the coachee has open on instance B.
			const s = connect(a.url, pair.coach.cookie);
			try {
				await connected(s);
				expect(await request(s, 'session:join', { sessionId: pair.sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
				expect(await request(s, 'session:end', { sessionId: pair.sessionId }, 20_000)).toMatchObject({ ok: true });
			} finally {
				s.close();
			}
			await until(() => serverStateOf(onB.provider.awareness.getStates() as Map<number, Record<string, unknown>>)?.readOnly === true, 20_000, 'the pad on B to turn read-only').catch(async (err: unknown) => {
				console.log('A', a.logs.filter((l) => /pad|Redis|warn|error|end/i.test(l)).slice(-20).join('\n'));
				console.log('B', b.logs.filter((l) => /pad|Redis|warn|error/i.test(l)).slice(-40).join('\n'));
				const client = new pg.Client({ connectionString: schema.url });
				await client.connect();
				console.log('HEADS', JSON.stringify((await client.query('SELECT * FROM pad_heads WHERE doc LIKE $1', [`%${pair.sessionId}%`])).rows));
				await client.end();
				const r = new Redis(REDIS_URL);
				console.log('STREAM', JSON.stringify((await r.xrange(`pad:${padName(pair.sessionId, 'shared')}`, '-', '+')).map(([id, f]) => [id, f.filter((_, i) => i % 2 === 0), f[1]])));
				r.disconnect();
				console.log('STATES', JSON.stringify([...onB.provider.awareness.getStates().entries()]));
				throw err;
			});
			const before = readActions(onB.doc).length;
			insertAction(onB.doc, newAction('coachee', { text: 'after the end' }));
			await new Promise((r) => setTimeout(r, 500));
			const check = padClient(a.url, pair.coach.cookie, pair.sessionId);
			try {
				await check.synced();
				expect(readActions(check.doc).length).toBe(before);
			} finally {
				check.destroy();
			}
		} finally {
			onB.destroy();
		}
	}, 90_000);
	it('an instance cut off from Redis still gets and gives every edit (from PostgreSQL), and fan-out catches up when Redis is back', async () => {
		const pair = await coachingPair(a.url);
		const onA = padClient(a.url, pair.coach.cookie, pair.sessionId);
		const onB = padClient(b.url, pair.coachee.cookie, pair.sessionId);
		try {
			await Promise.all([onA.synced(), onB.synced()]);
			proxy.pause();
			for (let i = 0; i < 10; i++) {
				insertAction(onA.doc, newAction('coach', { text: `cut-a ${i}` }));
				insertAction(onB.doc, newAction('coachee', { text: `cut-b ${i}` }));
			}
			await until(() => textsOf(onB, 'cut-a').length === 10 && textsOf(onA, 'cut-b').length === 10, 30_000, 'edits to cross while B has no Redis');
			proxy.resume();
			for (let i = 0; i < 10; i++) {
				insertAction(onA.doc, newAction('coach', { text: `back-a ${i}` }));
				insertAction(onB.doc, newAction('coachee', { text: `back-b ${i}` }));
			}
			await until(() => textsOf(onB, 'back-a').length === 10 && textsOf(onA, 'back-b').length === 10, 30_000, 'edits to cross once Redis is back');
			const stored = await seqsOf(padName(pair.sessionId, 'shared'));
			expect(stored).toEqual(stored.map((_, i) => i + 1));
		} finally {
			proxy.resume();
			onA.destroy();
			onB.destroy();
		}
	}, 120_000);

	it('a SIGKILLed instance mid-typing loses no edit the other side received', async () => {
		// B dies; A, where the coachee is, carries on.
		const pair = await coachingPair(a.url);
		const onDoomed = padClient(b.url, pair.coach.cookie, pair.sessionId);
		const onSurvivor = padClient(a.url, pair.coachee.cookie, pair.sessionId);
		try {
			await Promise.all([onDoomed.synced(), onSurvivor.synced()]);
			let n = 0;
			const typing = setInterval(() => {
				insertAction(onDoomed.doc, newAction('coach', { text: `c${n}` }));
				insertAction(onSurvivor.doc, newAction('coachee', { text: `s${n}` }));
				n++;
			}, 5);
			await until(() => textsOf(onSurvivor, 'c').length >= 60, 20_000, 'edits typed on the doomed instance to reach the other');
			await b.stop('SIGKILL');
			clearInterval(typing);
			// Everything the survivor's client received from the killed instance's side.
			const received = textsOf(onSurvivor, 'c');
			onDoomed.destroy();
			expect(received.length).toBeGreaterThanOrEqual(60);
			const fresh = padClient(a.url, pair.coach.cookie, pair.sessionId);
			try {
				await fresh.synced();
				const have = new Set(textsOf(fresh, 'c'));
				expect(received.filter((t) => !have.has(t))).toEqual([]);
			} finally {
				fresh.destroy();
			}
			const stored = await seqsOf(padName(pair.sessionId, 'shared'));
			expect(stored, 'seqs stay 1..n across the kill').toEqual(stored.map((_, i) => i + 1));
		} finally {
			onSurvivor.destroy();
		}
	}, 120_000);

});
