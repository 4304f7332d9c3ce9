/**
 * Issue 19: hostile text in the notes must not block the server. A summary
 * whose shared and private notes are 1 MiB of `*a_` (quadratic for the old
 * renderer: 12 KB took 2.4 s) is recorded, viewed, downloaded and mailed
 * while /healthz is asked every few milliseconds; every answer must come
 * within 50 ms. The real server, pad and SMTP; nothing mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { padClient, until, type PadClient } from '../helpers/pad.ts';
import { notesOf } from '../../shared/pad/index.ts';

/** The set-up's contract emails (coachingPair agrees a contract) are not what these tests count. */
const onlySummaries = (m: { subject?: string }) => /^Session summary/.test(m.subject ?? '');
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

const MiB = 1024 * 1024;
/**
 * How much longer than the idle server's slowest answer a probe may take while
 * the hostile summary is recorded, mailed and read. Before the fix the server
 * was blocked for minutes; a CI machine shared with other work delays one
 * answer by 50 to 100 ms now and then with no server code at fault (the
 * server's own loop watch logs nothing then), so the bound sits well clear of
 * that noise and far below the failure it guards against.
 */
const HEALTH_BUDGET_MS = 200;
/** Answers at least this slow are listed by step in a failure message. */
const SLOW_MS = 50;
const shortened = '…(shortened; the full notes stay in the pad)';

/**
 * Asks /healthz back to back from a thread of its own, so the test's own
 * work (the in-process SMTP server parses each email) never delays a probe.
 * Answers with the slowest round trip (a timeout counts as its full wait)
 * and, for the slow ones, the step the test was at then.
 */
const probeThread = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false, step = 'start';
const times = [];
parentPort.on('message', (m) => { if (m.step) step = m.step; if (m.stop) stop = true; });
(async () => {
	// The thread's first fetch loads the HTTP client: not the server's time.
	await (await fetch(workerData.url)).text();
	parentPort.postMessage('ready');
	while (!stop) {
		const at = step, t0 = performance.now();
		let ms;
		try {
			const r = await fetch(workerData.url, { signal: AbortSignal.timeout(5000) });
			await r.text();
			ms = r.status === 200 ? performance.now() - t0 : Infinity;
		} catch { ms = Infinity; }
		times.push({ ms, step: at === step ? at : at + '/' + step });
		await new Promise((res) => setTimeout(res, 5));
	}
	parentPort.postMessage(times);
})();
`;

async function healthProbe(base: string) {
	const thread = new Worker(probeThread, { eval: true, workerData: { url: `${base}/healthz` } });
	const messages: unknown[] = [];
	let wake = () => {};
	thread.on('message', (m) => (messages.push(m), wake()));
	const next = async () => {
		while (!messages.length) await new Promise<void>((res, rej) => ((wake = res), thread.once('error', rej)));
		return messages.shift();
	};
	await next(); // ready
	const result = next() as Promise<{ ms: number; step: string }[]>;
	return {
		at(step: string) {
			thread.postMessage({ step });
		},
		async stop() {
			thread.postMessage({ stop: true });
			const times = await result;
			await thread.terminate();
			const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
			const slow = times.filter((t) => t.ms >= SLOW_MS).map((t) => `${t.ms.toFixed(0)} ms during ${t.step}`);
			return { n: times.length, worst: sorted[sorted.length - 1] ?? Infinity, p50: sorted[sorted.length >> 1] ?? Infinity, slow: slow.join(', ') || 'none' };
		}
	};
}

/**
 * The budget: HEALTH_BUDGET_MS beyond what the machine alone costs an idle
 * server. On one shared with other work the same
 * probe of the idle server, just before, already shows stalls that no server
 * code causes. Before the fix the server was blocked for minutes either way.
 */
async function ambient(base: string) {
	const idle = await healthProbe(base);
	// Long enough to see the machine's own spikes, which come every second or two under load.
	await new Promise((res) => setTimeout(res, 3_000));
	const q = await idle.stop();
	return { budget: HEALTH_BUDGET_MS + q.worst, said: `the idle server over 3 s just before: slowest ${q.worst.toFixed(0)} ms, median ${q.p50.toFixed(1)} ms` };
}

/** One paragraph of `unit` repeated to `size` characters, typed in pieces that each fit a pad frame. */
async function hostileParagraph(writer: PadClient, echo: PadClient, unit: string, size: number) {
	const text = new Y.XmlText();
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [text]);
	notesOf(writer.doc).push([p]);
	const piece = unit.repeat(Math.floor(128 * 1024 / unit.length));
	while (text.length < size) text.insert(text.length, piece.slice(0, size - text.length));
	const echoed = () => ((notesOf(echo.doc).get(0) as Y.XmlElement | undefined)?.get(0) as Y.XmlText | undefined)?.length ?? 0;
	await until(() => echoed() === size, 30_000, 'the hostile notes stored and relayed');
}

describe('a summary of hostile notes', () => {
	let server: TestServer;
	let smtp: TestSmtp;
	beforeAll(async () => {
		smtp = await startSmtp({ keep: onlySummaries });
		server = await startServer({ env: { SMTP_URL: smtp.url } });
	});
	/** What the server's own event-loop watch named, to say what held it when a probe was slow. */
	const stalls = () => server.logs.filter((l) => l.includes('event loop was blocked')).join('\n') || 'the server logged no stall';
	afterAll(async () => {
		await server?.cleanup();
		await smtp?.close();
	});

	/**
	 * Ends, reads and mails an ordinary summary first: a process loads each
	 * page's code and starts the render thread on first use, whatever the
	 * notes say. What is measured after it is what the notes cost.
	 */
	async function warmUp() {
		const p = await coachingPair(server.url);
		const s = connect(server.url, p.coach.cookie);
		try {
			await connected(s);
			await request(s, 'session:join', { sessionId: p.sessionId, protocolVersion: PROTOCOL_VERSION });
			const ended = await request<{ summaryId: string }>(s, 'session:end', { sessionId: p.sessionId }, 30_000);
			const id = ended.ok ? ended.value.summaryId : '';
			await smtp.waitFor(smtp.received.length + 2, 30_000);
			for (const path of [`/summaries/${id}`, `/summaries/${id}.md`]) for (const v of [p.coach, p.coachee]) await (await v.get(path)).text();
		} finally {
			s.close();
		}
	}

	it(`is recorded, viewed and mailed with /healthz answering within ${HEALTH_BUDGET_MS} ms (beyond the machine's own load)`, { timeout: 120_000 }, async () => {
		await warmUp();
		smtp.received.length = 0;
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const socket = connect(server.url, coach.cookie);
		const pads: PadClient[] = [];
		try {
			await connected(socket);
			expect(await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
			for (const kind of ['shared', 'private'] as const) pads.push(padClient(server.url, coach.cookie, sessionId, kind), padClient(server.url, coach.cookie, sessionId, kind));
			await Promise.all(pads.map((p) => p.synced()));
			await hostileParagraph(pads[0]!, pads[1]!, '*a_', MiB);
			await hostileParagraph(pads[2]!, pads[3]!, '*a_', MiB);

			const quiet = await ambient(server.url);
			const probe = await healthProbe(server.url);
			probe.at('ending');
			const ended = await request<{ summaryId: string }>(socket, 'session:end', { sessionId }, 60_000).catch(async (err: Error) => {
				const h = await probe.stop();
				throw new Error(`ending was not answered (${err.message}); /healthz meanwhile: slowest ${h.worst} ms of ${h.n}; ${stalls()}`);
			});
			expect(ended).toMatchObject({ ok: true });
			const summaryId = ended.ok ? ended.value.summaryId : '';
			probe.at('mailing');
			const mails = await smtp.waitFor(2, 60_000);
			probe.at('pages');
			const coachPage = await (await coach.get(`/summaries/${summaryId}`)).text();
			const coacheePage = await (await coachee.get(`/summaries/${summaryId}`)).text();
			probe.at('downloads');
			const coachMd = await (await coach.get(`/summaries/${summaryId}.md`)).text();
			const coacheeMd = await (await coachee.get(`/summaries/${summaryId}.md`)).text();
			const health = await probe.stop();

			console.info(`healthz while recording, mailing and reading: ${health.n} asked, slowest ${health.worst.toFixed(1)} ms, median ${health.p50.toFixed(1)} ms; ${quiet.said}`);
			expect(health.n, 'healthz was asked throughout').toBeGreaterThan(20);
			expect(health.worst, `slowest /healthz of ${health.n} (median ${health.p50.toFixed(1)} ms; ${quiet.said}); slow: ${health.slow}; ${stalls()}`).toBeLessThan(quiet.budget);

			// What was cut says so, on the page, in the download and in both emails; the coachee's copy has no private notes.
			expect(coachPage).toContain(shortened);
			expect(coacheePage).toContain(shortened);
			expect(coacheePage).not.toContain('Only in your copy');
			expect(coachMd.split(shortened)).toHaveLength(3);
			expect(coacheeMd.split(shortened)).toHaveLength(2);
			expect(coacheeMd).not.toContain('Private notes');
			expect(coachMd.length).toBeLessThan(200_000);
			expect(mails).toHaveLength(2);
			for (const m of mails) {
				expect(m.html).toContain(shortened);
				expect(String(m.text).length).toBeLessThan(200_000);
			}
			const coacheeMail = mails.find((m) => !String(m.text).includes('Coach only'))!;
			expect(coacheeMail, "the coachee's email").toBeTruthy();
			expect(String(coacheeMail.html)).not.toContain('Private notes');
		} finally {
			socket.close();
			for (const p of pads) p.destroy();
		}
	});

	it('renders a summary recorded before stored renderings once, on its first read, bounded', { timeout: 60_000 }, async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const socket = connect(server.url, coach.cookie);
		const pads = [padClient(server.url, coach.cookie, sessionId, 'shared'), padClient(server.url, coach.cookie, sessionId, 'shared')];
		try {
			await connected(socket);
			await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
			await Promise.all(pads.map((p) => p.synced()));
			await hostileParagraph(pads[0]!, pads[1]!, '[', MiB / 2);
			const mailed = smtp.received.length + 2;
			const ended = await request<{ summaryId: string }>(socket, 'session:end', { sessionId }, 60_000);
			const summaryId = ended.ok ? ended.value.summaryId : '';
			// Its emails are out before the reads are measured: the first test measures mailing.
			await smtp.waitFor(mailed, 60_000);
			// As a summary recorded before migration 0006 left it: no rendering stored.
			// Waits its turn while the server writes (delivery status), as any second writer must.
			const db = new DatabaseSync(path.join(server.dataDir, 'confidante.sqlite'), { timeout: 10_000 });
			const count = () => (db.prepare('SELECT count(*) AS n FROM summary_renderings WHERE summary_id = ?').get(summaryId) as { n: number }).n;
			try {
				expect(count()).toBe(2);
				db.prepare('DELETE FROM summary_renderings WHERE summary_id = ?').run(summaryId);
				expect(count()).toBe(0);
				const quiet = await ambient(server.url);
				const probe = await healthProbe(server.url);
				const pages = await Promise.all([coach.get(`/summaries/${summaryId}`), coachee.get(`/summaries/${summaryId}`)]);
				const health = await probe.stop();
				const [coachPage, coacheePage] = await Promise.all(pages.map((p) => p.text()));
				console.info(`healthz while rendering on first read: ${health.n} asked, slowest ${health.worst.toFixed(1)} ms; ${quiet.said}`);
				expect(coachPage).toContain(shortened);
				expect(coacheePage).toContain(shortened);
				expect(count()).toBe(2);
				expect(health.worst, `slowest /healthz of ${health.n} (${quiet.said}); slow: ${health.slow}; ${stalls()}`).toBeLessThan(quiet.budget);
			} finally {
				db.close();
			}
		} finally {
			socket.close();
			for (const p of pads) p.destroy();
		}
	});
});
