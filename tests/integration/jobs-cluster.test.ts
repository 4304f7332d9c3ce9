/**
 * Endings and auto-end with two real server processes on one PostgreSQL
 * database and one Redis (issue 16), a real SMTP server in this process:
 * ending on both instances at once records one summary and sends one email
 * per recipient; an instance killed mid-ending is finished by the other;
 * auto-end never ends a session someone is in on the other instance.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { PROTOCOL_VERSION, type Ended } from '../../shared/protocol/index.ts';

/** Redis db 3 is this feature's on the shared machine. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/3';
const onlySummaries = (m: { subject?: string }) => /^Session summary/.test(m.subject ?? '');
const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((x) => x.address) ?? []);
const recorded = (s: TestServer) => s.logs.filter((l) => l.includes('session ended; summary recorded')).length;

let smtp: TestSmtp;
let a: TestServer;
let b: TestServer;
const sockets: ClientSocket[] = [];

async function instance(id: string, env: Record<string, string> = {}, databaseUrl?: string): Promise<TestServer> {
	const common = { SMTP_URL: smtp.url, REDIS_URL, INSTANCE_ID: `${id}-${process.pid}`, EMPTY_SESSION_END_MINUTES: '0.03', ...env };
	return databaseUrl ? startServer({ env: { ...common, DATABASE_URL: databaseUrl } }) : startServer({ db: 'postgres', env: common });
}

beforeAll(async () => {
	smtp = await startSmtp({ keep: onlySummaries });
	a = await instance('a', { CONFIDANTE_FAILPOINTS: 'summary.afterEndingClaimed=delay:1500' });
	b = await instance('b', { CONFIDANTE_FAILPOINTS: 'summary.afterEndingClaimed=delay:1500' }, a.env.DATABASE_URL);
}, 90_000);
afterEach(() => {
	for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
	await b?.cleanup();
	await a?.cleanup();
	await smtp?.close();
});

/** The same person on another instance: the sign-in cookie works on every instance (one database). */
const on = (server: TestServer, v: Visitor) => Object.assign(new Visitor(server.url), { cookie: v.cookie, email: v.email });

async function joined(server: TestServer, who: Visitor, sessionId: string): Promise<ClientSocket> {
	const s = connect(server.url, who.cookie);
	sockets.push(s);
	await connected(s);
	const r = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	if (!r.ok) throw new Error(`join failed: ${JSON.stringify(r)}`);
	return s;
}

async function pairWithEmails(url: string) {
	const p = await coachingPair(url);
	return { ...p, coachEmail: p.emails.coach, coacheeEmail: p.emails.coachees[0]! };
}

const summaryMails = (...emails: string[]) => smtp.received.filter((m) => to(m).some((x) => x !== undefined && emails.includes(x)));
const endedStatus = async (v: Visitor, sessionId: string) => (await v.get(`/sessions/${sessionId}/summary`)).status;

describe('endings across two instances', () => {
	it('ending on both instances at once: one summary, one email per recipient', async () => {
		const p = await pairWithEmails(a.url);
		const onA = await joined(a, p.coach, p.sessionId);
		const onB = await joined(b, on(b, p.coach), p.sessionId);
		const before = recorded(a) + recorded(b);
		const [ra, rb] = await Promise.all([
			request<Ended>(onA, 'session:end', { sessionId: p.sessionId }, 25_000),
			request<Ended>(onB, 'session:end', { sessionId: p.sessionId }, 25_000)
		]);
		expect(ra.ok && rb.ok).toBe(true);
		if (!ra.ok || !rb.ok) return;
		expect(ra.value.summaryId).toBe(rb.value.summaryId);
		// One instance built and recorded it; the other waited for it.
		expect(recorded(a) + recorded(b) - before).toBe(1);
		await expect.poll(() => summaryMails(p.coachEmail, p.coacheeEmail).length, { timeout: 15_000 }).toBe(2);
		await new Promise((r) => setTimeout(r, 1500));
		expect(summaryMails(p.coachEmail, p.coacheeEmail).map(to).flat().sort()).toEqual([p.coachEmail, p.coacheeEmail].sort());
		const page = await (await p.coach.get(`/engagements/${p.engagementId}/summaries`)).text();
		expect(new Set([...page.matchAll(/href="\/summaries\/([a-z2-7]+)"/g)].map((m) => m[1]))).toEqual(new Set([ra.value.summaryId]));
	}, 60_000);

	it('an instance killed mid-ending: the other finishes it, one summary and one email each', async () => {
		const p = await pairWithEmails(a.url);
		a.env.CONFIDANTE_FAILPOINTS = 'summary.afterEndingClaimed=kill';
		await a.stop();
		await a.restart();
		const s = await joined(a, p.coach, p.sessionId);
		const died = new Promise((r) => a.process.once('exit', r));
		const r = await request(s, 'session:end', { sessionId: p.sessionId }, 3000).catch((e: Error) => e);
		expect(r).toBeInstanceOf(Error);
		await died;
		// b was running all along; nobody restarts a. Once a's lease runs out, b's check-on job completes the ending.
		await expect.poll(() => summaryMails(p.coachEmail, p.coacheeEmail).length, { timeout: 30_000, interval: 500 }).toBe(2);
		expect(await endedStatus(on(b, p.coach), p.sessionId)).toBe(303);
		expect(recorded(b)).toBeGreaterThanOrEqual(1);
		a.env.CONFIDANTE_FAILPOINTS = 'summary.afterEndingClaimed=delay:1500';
		await a.restart();
		await new Promise((r) => setTimeout(r, 2000));
		expect(summaryMails(p.coachEmail, p.coacheeEmail)).toHaveLength(2);
	}, 90_000);
});

describe('auto-end across two instances', () => {
	it('does not end a session someone is in on the other instance, and ends it once everyone left', async () => {
		const p = await pairWithEmails(a.url);
		const coachOnA = await joined(a, p.coach, p.sessionId);
		// The coachee comes and goes on b: b sees the session empty, a does not.
		const coacheeOnB = await joined(b, on(b, p.coachee), p.sessionId);
		await request(coacheeOnB, 'session:leave', { sessionId: p.sessionId });
		// And b restarts, finding a live session with nobody on b.
		await b.stop();
		await b.restart();
		// Several times the empty-session delay (1.8 s) later, the session is still going.
		await new Promise((r) => setTimeout(r, 8_000));
		expect(await endedStatus(p.coach, p.sessionId)).toBe(200);
		expect(summaryMails(p.coachEmail, p.coacheeEmail)).toHaveLength(0);
		// The coach leaves on a: now it ends by itself.
		await request(coachOnA, 'session:leave', { sessionId: p.sessionId });
		await expect.poll(() => endedStatus(p.coach, p.sessionId), { timeout: 20_000, interval: 500 }).toBe(303);
		await expect.poll(() => summaryMails(p.coachEmail, p.coacheeEmail).length, { timeout: 15_000 }).toBe(2);
	}, 90_000);
});
