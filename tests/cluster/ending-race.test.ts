/**
 * Issue 16, "ending on two instances at once (failpoint between the steps)":
 * the coach ends the session from two tabs on two instances while the first
 * ending is held between its steps (summary.afterEndMarked), and when the
 * instance ending it dies there (kill): one summary, one email per recipient.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { coachingPair } from '../helpers/http.ts';
import { until } from '../helpers/pad.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

let cluster: TestCluster;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	// a and b hold every ending 1.5 s between "ending recorded" and "summary written"; c dies there.
	cluster = await startCluster({
		instances: 3,
		lb: true,
		instanceEnv: [{ CONFIDANTE_FAILPOINTS: 'summary.afterEndMarked=delay:1500' }, { CONFIDANTE_FAILPOINTS: 'summary.afterEndMarked=delay:1500' }, { CONFIDANTE_FAILPOINTS: 'summary.afterEndMarked=kill*1' }]
	});
});
afterEach(() => {
	for (const s of sockets.splice(0)) s.close();
});
afterAll(async () => {
	await cluster?.close();
});

const onlySummaries = (m: { subject?: string }) => /^Session summary/.test(m.subject ?? '');

async function joinedOn(url: string, cookie: string, sessionId: string): Promise<ClientSocket> {
	const s = connect(url, cookie);
	sockets.push(s);
	await connected(s);
	const r = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION }, 15_000);
	if (!r.ok) throw new Error(`join failed: ${JSON.stringify(r)}`);
	return s;
}

/** One summary row for the session, and after a quiet spell exactly one summary email to each address. */
async function exactlyOnce(sessionId: string, addresses: string[]) {
	const mailsTo = (address: string) => cluster.smtp.received.filter(onlySummaries).filter((m) => JSON.stringify(m.to).includes(address));
	await until(() => addresses.every((a) => mailsTo(a).length >= 1), 30_000, 'a summary email to everyone');
	await new Promise((r) => setTimeout(r, 3000));
	const { rows } = await cluster.pg.query('select id from summaries where session_id = $1', [sessionId]);
	expect(rows).toHaveLength(1);
	for (const a of addresses) expect(mailsTo(a), a).toHaveLength(1);
}

describe('ending one session on two instances at once', () => {
	it('from two tabs on A and B while the first ending is held between its steps', async () => {
		const [a, b] = cluster.instances;
		const { coach, coachee, sessionId, emails } = await coachingPair(cluster.lbUrl!);
		const tabA = await joinedOn(a!.url, coach.cookie, sessionId);
		const tabB = await joinedOn(b!.url, coach.cookie, sessionId);
		await joinedOn(b!.url, coachee.cookie, sessionId);
		const [onA, onB] = await Promise.all([request<{ summaryId: string }>(tabA, 'session:end', { sessionId }, 15_000), request<{ summaryId: string }>(tabB, 'session:end', { sessionId }, 15_000)]);
		// Each tab gets an answer; whichever succeeded names the one summary.
		const ids = [onA, onB].flatMap((r) => (r.ok ? [r.value.summaryId] : []));
		expect(ids.length).toBeGreaterThan(0);
		expect(new Set(ids).size).toBe(1);
		await exactlyOnce(sessionId, [emails.coach, emails.coachees[0]!]);
	});

	it('when the instance ending it dies between the steps, another finishes it once', async () => {
		const c = cluster.instances[2]!;
		const { coach, sessionId, emails } = await coachingPair(cluster.lbUrl!);
		const tab = await joinedOn(c.url, coach.cookie, sessionId);
		const exited = new Promise((r) => c.process.once('exit', r));
		void request(tab, 'session:end', { sessionId }, 15_000).catch(() => {});
		await exited;
		await exactlyOnce(sessionId, [emails.coach, emails.coachees[0]!]);
		delete c.env.CONFIDANTE_FAILPOINTS;
		await c.restart();
	});
});
