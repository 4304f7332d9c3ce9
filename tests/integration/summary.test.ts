/**
 * Ending a session and delivering its summary, over the real server with a
 * real SMTP server in this process: who may end, exactly one summary however
 * often ending is asked for or interrupted, both emails with their parts,
 * what a coachee can never see, and delivery failures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import net from 'node:net';
import fs from 'node:fs';
import pg from 'pg';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { padClient, until } from '../helpers/pad.ts';
import * as Y from 'yjs';
import { insertAction, insertLearning, newAction, notesOf, readActions, readLearningPoints, updateItem, actionsOf, carriedOf, readCarriedActions, readPadStates } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION, type Ended } from '../../shared/protocol/index.ts';

/** The set-up's contract emails (coachingPair agrees a contract) are not what these tests count. */
const onlySummaries = (m: { subject?: string }) => /^Session summary/.test(m.subject ?? '');
import type { Result } from '../../shared/result.ts';

/** The value of a successful ack; a failure fails the test with its message. */
function val<T>(r: Result<T>): T {
	if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
	return r.value;
}

const sockets: ClientSocket[] = [];
afterEach(() => {
	for (const s of sockets.splice(0)) s.close();
});

async function joined(url: string, who: Visitor, sessionId: string): Promise<ClientSocket> {
	const s = connect(url, who.cookie);
	sockets.push(s);
	await connected(s);
	const r = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	if (!r.ok) throw new Error(`join failed: ${JSON.stringify(r)}`);
	return s;
}

const endedEvent = (s: ClientSocket) => new Promise<{ sessionId: string; summaryId: string }>((resolve) => s.once('session:ended', resolve));
const emailOf = (v: Visitor) => v.email;
const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((x) => x.address) ?? []);
const mailFor = (mails: ParsedMail[], address: string) => mails.find((m) => to(m).includes(address));
const summaryLinks = (html: string) => new Set([...html.matchAll(/href="\/summaries\/([a-z2-7]+)"/g)].map((m) => m[1]));

/** Messages to these people only: other tests' late emails on the same SMTP server do not count. */
const mailsOf = (smtp: TestSmtp, ...people: Visitor[]) => smtp.received.filter((m) => to(m).some((a) => people.some((p) => p.email === a)));
async function mailsFor(smtp: TestSmtp, people: Visitor[], n: number) {
	await expect.poll(() => mailsOf(smtp, ...people).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(n);
	return mailsOf(smtp, ...people);
}

/** The Yjs states a summary recorded, read straight from the database. */
async function recordedStates(server: TestServer, summaryId: string): Promise<{ shared: Uint8Array; private: Uint8Array | null }> {
	if (server.env.DATABASE_URL) {
		const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
		await client.connect();
		try {
			const r = await client.query('SELECT shared_state, private_state FROM summaries WHERE id = $1', [summaryId]);
			return { shared: r.rows[0].shared_state, private: r.rows[0].private_state };
		} finally {
			await client.end();
		}
	}
	const db = new DatabaseSync(path.join(server.dataDir, 'confidante.sqlite'), { readOnly: true });
	try {
		const row = db.prepare('SELECT shared_state, private_state FROM summaries WHERE id = ?').get(summaryId) as { shared_state: Uint8Array; private_state: Uint8Array | null };
		return { shared: row.shared_state, private: row.private_state };
	} finally {
		db.close();
	}
}

/** A pair whose visitors remember their email addresses. */
async function pair(url: string) {
	const p = await coachingPair(url);
	const dash = async () => {
		// The address is on the engagement page for the coach; read both from there.
		const html = await (await p.coach.get(`/engagements/${p.engagementId}`)).text();
		return html;
	};
	const html = await dash();
	const emails = [...html.matchAll(/([a-z0-9.]+@example\.org)/g)].map((m) => m[1]!);
	(p.coach as Visitor & { email: string }).email = emails.find((e) => e.startsWith('coach.'))!;
	(p.coachee as Visitor & { email: string }).email = emails.find((e) => e.startsWith('coachee.'))!;
	return p as typeof p & { coach: Visitor & { email: string }; coachee: Visitor & { email: string } };
}

describe.each<DbKind>(['sqlite', 'postgres'])('session end and summary on %s', (db) => {
	let server: TestServer;
	let smtp: TestSmtp;
	beforeAll(async () => {
		smtp = await startSmtp({ keep: onlySummaries });
		server = await startServer({ db, env: { SMTP_URL: smtp.url, MAIL_FROM: 'Confidante <summaries@confidante.test>' } });
	});
	afterAll(async () => {
		await server?.cleanup();
		await smtp?.close();
	});

	it('ends once, sends both pages to the summary and emails both participants', async () => {
		smtp.received.length = 0;
		const { coach, coachee, engagementId, sessionId } = await pair(server.url);
		const nextId = await coach.scheduleSession(engagementId, 7 * 24 * 60, 45);
		const a = await joined(server.url, coach, sessionId);
		const b = await joined(server.url, coachee, sessionId);
		const seenA = endedEvent(a);
		const seenB = endedEvent(b);

		const r = await request<{ summaryId: string; alreadyEnded: boolean }>(a, 'session:end', { sessionId });
		expect(r).toMatchObject({ ok: true, value: { alreadyEnded: false } });
		const summaryId = r.ok ? val(r).summaryId : '';
		expect((await seenA).summaryId).toBe(summaryId);
		expect((await seenB).summaryId).toBe(summaryId);

		const mails = await mailsFor(smtp, [coach, coachee], 2);
		expect(mails).toHaveLength(2);
		const forCoach = mailFor(mails, emailOf(coach)!)!;
		const forCoachee = mailFor(mails, emailOf(coachee)!)!;
		expect(forCoach).toBeTruthy();
		expect(forCoachee).toBeTruthy();
		for (const m of [forCoach, forCoachee]) {
			expect(m.subject).toBe(`Session summary: Leading the new team · Session 1 of 6 (${new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(Date.now())})`);
			expect(m.from?.value[0]?.address).toBe('summaries@confidante.test');
			expect(m.text).toContain('## Agreed actions');
			expect(m.html).toContain('<h2>Agreed actions</h2>');
			expect(m.text).toContain('Casey Coach (coach), Sam Coachee (coachee)');
			const md = m.attachments.find((x) => x.filename?.endsWith('.md'));
			expect(md?.filename).toBe('leading-the-new-team-session-1.md');
			expect(md?.content.toString()).toContain('# Leading the new team · Session 1 of 6');
			const ics = m.attachments.find((x) => x.contentType.startsWith('text/calendar') || x.filename?.endsWith('.ics'));
			expect(ics, 'the next session comes as a calendar entry').toBeTruthy();
			const cal = ics!.content.toString();
			expect(cal).toContain('BEGIN:VEVENT');
			expect(cal).toContain(`UID:${nextId}@confidante`);
			expect(cal).toContain('Leading the new team: Session 2 of 6');
			expect(cal).toContain('METHOD:PUBLISH');
			expect(cal).toMatch(/DURATION:PT45M|DTEND/);
		}
		expect(forCoach.text).toContain('Coach only');
		expect(forCoachee.text).not.toContain('Coach only');
		expect(forCoachee.text).not.toContain('Prompts asked');

		// Both pages show their copy; the Markdown download matches.
		const coachPage = await (await coach.get(`/summaries/${summaryId}`)).text();
		const coacheePage = await (await coachee.get(`/summaries/${summaryId}`)).text();
		expect(coachPage).toContain('Only in your copy');
		expect(coachPage).toContain('data-testid="deliveries"');
		expect(coacheePage).toContain('Agreed actions');
		expect(coacheePage).not.toContain('Only in your copy');
		expect(coacheePage).not.toContain('data-testid="deliveries"');
		const md = await coachee.get(`/summaries/${summaryId}.md`);
		expect(md.headers.get('content-disposition')).toContain('leading-the-new-team-session-1.md');
		expect(await md.text()).not.toContain('Coach only');
		expect((await coach.get(`/sessions/${sessionId}/summary`)).headers.get('location')).toBe(`/summaries/${summaryId}`);
		expect([...summaryLinks(await (await coachee.get(`/engagements/${engagementId}/summaries`)).text())]).toEqual([summaryId]);
		// The engagement page links each ended session to its summary.
		expect(await (await coachee.get(`/engagements/${engagementId}`)).text()).toContain(`href="/sessions/${sessionId}/summary"`);

		// Ending again (another tab, a retry) gives the same summary and no new email.
		const again = await request(a, 'session:end', { sessionId });
		expect(again).toMatchObject({ ok: true, value: { summaryId, alreadyEnded: true } });
		const rejoin = await request(b, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
		expect(rejoin).toMatchObject({ ok: false, error: { code: 'gone' } });
		await new Promise((r) => setTimeout(r, 500));
		expect(mailsOf(smtp, coach, coachee)).toHaveLength(2);
	});

	it('renders the pad\'s final state and the prompts asked; the coachee\'s copy has neither private notes nor prompts', async () => {
		smtp.received.length = 0;
		const { coach, coachee, sessionId } = await pair(server.url);
		const a = await joined(server.url, coach, sessionId);
		const writer = padClient(server.url, coach.cookie, sessionId, 'shared');
		const reader = padClient(server.url, coachee.cookie, sessionId, 'shared');
		const priv = padClient(server.url, coach.cookie, sessionId, 'private');
		const privEcho = padClient(server.url, coach.cookie, sessionId, 'private');
		try {
			await Promise.all([writer.synced(), reader.synced(), priv.synced(), privEcho.synced()]);
			const done = newAction('coach', { text: 'Book 1:1s with each report', owner: 'coachee', due: '2026-12-01' });
			insertAction(writer.doc, newAction('coach', { text: 'Draft the 90-day plan', owner: 'coachee', due: '2026-12-15' }));
			insertAction(writer.doc, done);
			insertAction(writer.doc, newAction('coach', { text: 'Send the reading list', owner: 'coach' }));
			updateItem(writer.doc, actionsOf(writer.doc), done.id, { status: 'done' }, 'coach');
			insertLearning(writer.doc, 'coach', 'Listening first changes the meeting');
			const p = new Y.XmlElement('paragraph');
			p.insert(0, [new Y.XmlText('SHARED-NOTE-41: agreed to try delegation')]);
			notesOf(writer.doc).push([p]);
			const q = new Y.XmlElement('paragraph');
			q.insert(0, [new Y.XmlText('PRIVATE-PAD-NOTE-9c: check energy levels next time')]);
			notesOf(priv.doc).push([q]);
			// The coachee's client has everything: the server stored it before relaying it.
			await until(() => readActions(reader.doc).length === 3 && readLearningPoints(reader.doc).length === 1 && notesOf(reader.doc).length === 1, 10_000, 'coachee sees the pad');
			await until(() => notesOf(privEcho.doc).length === 1, 10_000, 'private notes stored');
			expect(await request(a, 'prompts:ask', { sessionId, id: 'scoping-happening-now' })).toMatchObject({ ok: true });

			const r = val(await request<{ summaryId: string }>(a, 'session:end', { sessionId }));
			const mails = await mailsFor(smtp, [coach, coachee], 2);
			const forCoach = mailFor(mails, coach.email!)!;
			const forCoachee = mailFor(mails, coachee.email!)!;
			for (const m of [forCoach, forCoachee]) {
				expect(m.text).toContain('- [ ] Draft the 90-day plan — Sam Coachee · due 2026-12-15 · open');
				expect(m.text).toContain('- [x] Book 1:1s with each report — Sam Coachee · due 2026-12-01 · done');
				expect(m.text).toContain('- [ ] Send the reading list — Casey Coach · open');
				expect(m.text).toContain('- Listening first changes the meeting');
				expect(m.text).toContain('SHARED-NOTE-41: agreed to try delegation');
				expect(m.html).toContain('Draft the 90-day plan');
			}
			expect(forCoach.text).toContain('PRIVATE-PAD-NOTE-9c');
			expect(forCoach.text).toContain('What is happening right now?');
			const coacheeMail = [forCoachee.text, forCoachee.html, ...forCoachee.attachments.map((x) => x.content.toString())].join('\n');
			expect(coacheeMail).not.toContain('PRIVATE-PAD-NOTE-9c');
			expect(coacheeMail).not.toContain('What is happening right now?');
			const coacheePage = await (await coachee.get(`/summaries/${r.summaryId}`)).text();
			expect(coacheePage).toContain('Draft the 90-day plan');
			expect(coacheePage).toContain('SHARED-NOTE-41');
			expect(coacheePage).not.toContain('PRIVATE-PAD-NOTE-9c');
			expect(coacheePage).not.toContain('What is happening right now?');
			const coachPage = await (await coach.get(`/summaries/${r.summaryId}`)).text();
			expect(coachPage).toContain('PRIVATE-PAD-NOTE-9c');
			expect(coachPage).toContain('What is happening right now?');

			// The record keeps the final Yjs states, so the summary can be rendered again from them.
			const again = readPadStates(await recordedStates(server, r.summaryId));
			expect(again.actions.map((x) => x.text)).toEqual(['Draft the 90-day plan', 'Book 1:1s with each report', 'Send the reading list']);
			expect(again.privateNotesText).toContain('PRIVATE-PAD-NOTE-9c');

			// The pad is read-only once the session has ended: a late edit is not taken.
			insertAction(writer.doc, newAction('coach', { text: 'LATE-EDIT' }));
			await new Promise((res) => setTimeout(res, 300));
			expect(readActions(reader.doc).map((x) => x.text)).not.toContain('LATE-EDIT');
		} finally {
			for (const c of [writer, reader, priv, privEcho]) c.destroy();
		}
	});

	it('lists last time\'s open actions and what this session did with them', async () => {
		smtp.received.length = 0;
		const { coach, coachee, engagementId, sessionId } = await pair(server.url);
		const a = await joined(server.url, coach, sessionId);
		const one = padClient(server.url, coach.cookie, sessionId, 'shared');
		await one.synced();
		insertAction(one.doc, newAction('coach', { text: 'Ask for feedback after standup', owner: 'coachee' }));
		insertAction(one.doc, newAction('coach', { text: 'Map the stakeholders', owner: 'both' }));
		const echo = padClient(server.url, coach.cookie, sessionId, 'shared');
		await until(() => readActions(echo.doc).length === 2, 10_000, 'actions stored');
		const first = val(await request<{ summaryId: string }>(a, 'session:end', { sessionId })).summaryId;
		one.destroy();
		echo.destroy();

		const second = await coach.scheduleSession(engagementId, 30);
		// Last time's summary is one link away in the next session, for members only.
		expect(await (await coachee.get(`/sessions/${second}/previous-summary`)).json()).toEqual({ previous: { id: first, number: 1 } });
		expect(await (await coachee.get(`/sessions/${sessionId}/previous-summary`)).json()).toEqual({ previous: null });
		const stranger = new Visitor(server.url);
		await stranger.signUp('Olly Outsider', uniqueEmail('olly'));
		// An outsider is refused like everywhere else (404), rather than told there is nothing.
		expect((await stranger.get(`/sessions/${second}/previous-summary`)).status).toBe(404);
		const a2 = await joined(server.url, coach, second);
		// Booked half an hour ahead, outside its start window: the coach starts it early (issue 17).
		expect(await request(a2, 'session:start', { sessionId: second })).toMatchObject({ ok: true });
		const two = padClient(server.url, coach.cookie, second, 'shared');
		try {
			await two.synced();
			await until(() => carriedOf(two.doc).length === 2, 10_000, 'actions carried over');
			const feedback = readCarriedActions(two.doc).find((x) => x.text.startsWith('Ask for feedback'))!;
			updateItem(two.doc, carriedOf(two.doc), feedback.id, { status: 'done' }, 'coach');
			const echo2 = padClient(server.url, coach.cookie, second, 'shared');
			await until(() => readCarriedActions(echo2.doc).some((x) => x.status === 'done'), 10_000, 'status stored');
			echo2.destroy();
			const r = val(await request<{ summaryId: string }>(a2, 'session:end', { sessionId: second }));
			const md = await (await coach.get(`/summaries/${r.summaryId}.md`)).text();
			expect(md).toContain('## From last time');
			expect(md).toMatch(/Ask for feedback after standup — Sam Coachee · open → done \(from session 1\)/);
			expect(md).toMatch(/Map the stakeholders — Both · still open \(from session 1\)/);
			expect(md).toContain('# Leading the new team · Session 2 of 6');
		} finally {
			two.destroy();
		}
	});

	it('refuses a coachee, a session that never started, and outsiders; two tabs racing get one summary', async () => {
		smtp.received.length = 0;
		const { coach, coachee, engagementId, sessionId } = await pair(server.url);
		const b = await joined(server.url, coachee, sessionId);
		expect(await request(b, 'session:end', { sessionId })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('Only the coach') } });
		expect(await request(b, 'session:end-check', { sessionId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		expect(await request(b, 'session:end', { sessionId: 'not a session' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

		const later = await coach.scheduleSession(engagementId, 120);
		const a1 = await joined(server.url, coach, sessionId);
		expect(await request(a1, 'session:end', { sessionId: later })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('has not started yet') } });

		const outsider = new Visitor(server.url);
		await outsider.signUp('Olly Outsider', uniqueEmail('olly'));
		const o = connect(server.url, outsider.cookie);
		sockets.push(o);
		await connected(o);
		expect(await request(o, 'session:end', { sessionId })).toMatchObject({ ok: false, error: { code: 'not_found' } });

		// The end check answers; nobody here has unsynced edits to report.
		expect(await request(a1, 'session:end-check', { sessionId })).toMatchObject({ ok: true, value: { unsynced: [] } });

		const a2 = await joined(server.url, coach, sessionId);
		const [r1, r2] = await Promise.all([request<Ended>(a1, 'session:end', { sessionId }), request<Ended>(a2, 'session:end', { sessionId })]);
		expect(r1.ok && r2.ok).toBe(true);
		expect(val(r1).summaryId).toBe(val(r2).summaryId);
		expect([val(r1).alreadyEnded, val(r2).alreadyEnded].sort()).toEqual([false, true]);
		await mailsFor(smtp, [coach, coachee], 2);
		await new Promise((r) => setTimeout(r, 500));
		expect(mailsOf(smtp, coach, coachee)).toHaveLength(2);
		expect(summaryLinks(await (await coach.get(`/engagements/${engagementId}/summaries`)).text()).size).toBe(1);

		// An outsider cannot read the summary, its Markdown or its mail.
		for (const p of [`/summaries/${val(r1).summaryId}`, `/summaries/${val(r1).summaryId}.md`, `/sessions/${sessionId}/summary`, `/engagements/${engagementId}/summaries`]) {
			expect((await outsider.get(p)).status).toBe(404);
		}
	});

	it('keeps corrections as new versions; the coachee never sees private notes', async () => {
		const { coach, coachee, engagementId, sessionId } = await pair(server.url);
		const a = await joined(server.url, coach, sessionId);
		const r = await request<Ended>(a, 'session:end', { sessionId });
		const v1 = val(r).summaryId as string;

		const form = {
			action_id_0: '',
			action_text_0: 'Book a 1:1 with each team member',
			action_owner_0: 'Sam Coachee',
			action_due_0: '2026-12-15',
			action_status_0: 'open',
			learningPoints: 'Listening first changes the meeting\nAsk before advising',
			notes: 'We talked about **delegation**. <script>alert(1)</script> [bad](javascript:alert(1))',
			privateNotes: 'PRIVATE-NOTE-7f3: seems anxious about the new role',
			note: 'added the action we forgot',
			notify: 'on'
		};
		expect(await coachee.action(`/summaries/${v1}/correct`, form)).toMatchObject({ type: 'failure', status: 403 });
		expect((await coachee.get(`/summaries/${v1}/correct`)).status).toBe(404);
		const bad = await coach.action(`/summaries/${v1}/correct`, { ...form, note: '' });
		expect(bad).toMatchObject({ type: 'failure', status: 400, data: { error: { field: 'note' } } });
		const badDate = await coach.action(`/summaries/${v1}/correct`, { ...form, action_due_0: 'tomorrow' });
		expect(badDate).toMatchObject({ type: 'failure', status: 400 });

		const ok = await coach.action(`/summaries/${v1}/correct`, form);
		expect(ok.type).toBe('redirect');
		const v2 = ok.location!.split('/').pop()!;
		expect(v2).not.toBe(v1);

		await expect.poll(() => mailsOf(smtp, coach, coachee).filter((m) => m.subject?.endsWith('corrected')).length, { timeout: 15_000 }).toBe(2);
		const mails = mailsOf(smtp, coach, coachee).filter((m) => m.subject?.endsWith('corrected'));
		const forCoach = mailFor(mails, coach.email!)!;
		const forCoachee = mailFor(mails, coachee.email!)!;
		expect(forCoach.subject).toMatch(/corrected$/);
		expect(forCoach.text).toContain('PRIVATE-NOTE-7f3');
		expect(forCoach.text).toContain('Book a 1:1 with each team member — Sam Coachee · due 2026-12-15 · open');
		expect(forCoachee.text).toContain('Book a 1:1 with each team member');
		expect(forCoachee.text).toContain('Listening first changes the meeting');
		const coacheeMail = [forCoachee.text, forCoachee.html, ...forCoachee.attachments.map((x) => x.content.toString())].join('\n');
		expect(coacheeMail).not.toContain('PRIVATE-NOTE-7f3');
		expect(coacheeMail).not.toContain('Prompts asked');
		// People's text never becomes script or a javascript: link.
		expect(forCoachee.html).not.toContain('<script>');
		expect(forCoachee.html).not.toContain('javascript:');

		const coacheeV2 = await (await coachee.get(`/summaries/${v2}`)).text();
		expect(coacheeV2).toContain('Book a 1:1 with each team member');
		expect(coacheeV2).not.toContain('PRIVATE-NOTE-7f3');
		expect(coacheeV2).not.toContain('<script>alert');
		expect(await (await coachee.get(`/summaries/${v2}.md`)).text()).not.toContain('PRIVATE-NOTE-7f3');
		expect(await (await coach.get(`/summaries/${v2}`)).text()).toContain('PRIVATE-NOTE-7f3');
		// Version 1 is unchanged and still readable; the list shows the latest.
		expect(await (await coach.get(`/summaries/${v1}`)).text()).not.toContain('PRIVATE-NOTE-7f3');
		expect([...summaryLinks(await (await coachee.get(`/engagements/${engagementId}/summaries`)).text())]).toEqual([v2]);
	});
});

describe('delivery failures', () => {
	let server: TestServer;
	let smtp: TestSmtp;
	beforeAll(async () => {
		smtp = await startSmtp({ keep: onlySummaries });
		server = await startServer({ env: { SMTP_URL: smtp.url } });
	});
	afterAll(async () => {
		await server?.cleanup();
		await smtp?.close();
	});

	const deliveries = async (coach: Visitor, summaryId: string) => {
		const html = await (await coach.get(`/summaries/${summaryId}`)).text();
		return [...html.matchAll(/data-status="(\w+)"/g)].map((m) => m[1]);
	};

	it('retries a temporary refusal, and shows a refused recipient as failed to the coach only', async () => {
		smtp.received.length = 0;
		// The pair signs up through links mailed to them, so the mail server misbehaves only after.
		const p = await pair(server.url);
		smtp.mode = 'refuse-temporarily';
		smtp.rejectRecipients.add(p.coachee.email!);
		const a = await joined(server.url, p.coach, p.sessionId);
		const r = await request<Ended>(a, 'session:end', { sessionId: p.sessionId });
		const summaryId = val(r).summaryId as string;
		await expect.poll(async () => (await (await p.coach.get(`/summaries/${summaryId}`)).text()), { timeout: 10_000 }).toContain('Try again later');
		smtp.mode = 'accept';
		const mails = await smtp.waitFor(1, 15_000);
		expect(to(mails[0]!)).toEqual([p.coach.email]);
		await expect.poll(() => deliveries(p.coach, summaryId), { timeout: 10_000 }).toEqual(['sent', 'failed']);
		const page = await (await p.coach.get(`/summaries/${summaryId}`)).text();
		expect(page).toContain('No such user here');
		expect(page).toContain('Send again');
		expect(await (await p.coachee.get(`/summaries/${summaryId}`)).text()).not.toContain('No such user here');
		expect(smtp.received).toHaveLength(1);

		// The address is fixed on the mail server's side; the coach sends it again.
		smtp.rejectRecipients.delete(p.coachee.email!);
		const job = /name="job" value="([a-z2-7]+)"/.exec(page)![1]!;
		expect(await p.coachee.action(`/summaries/${summaryId}?/retry`, { job })).toMatchObject({ type: 'failure', status: 403 });
		expect(await p.coach.action(`/summaries/${summaryId}?/retry`, { job })).toMatchObject({ type: 'success' });
		await smtp.waitFor(2);
		expect(to(smtp.received[1]!)).toEqual([p.coachee.email]);
		await expect.poll(() => deliveries(p.coach, summaryId), { timeout: 10_000 }).toEqual(['sent', 'sent']);
		expect(await p.coach.action(`/summaries/${summaryId}?/retry`, { job })).toMatchObject({ type: 'failure', status: 409 });
	});

	it('marks an invalid address as failed without sending, and the server keeps going', async () => {
		smtp.received.length = 0;
		smtp.mode = 'accept';
		const p = await pair(server.url);
		// Accounts validate addresses; an old or imported one may still be broken.
		const db = new DatabaseSync(path.join(server.dataDir, 'confidante.sqlite'));
		db.prepare('UPDATE users SET email = ? WHERE email = ?').run('sam at example dot org', p.coachee.email!);
		db.close();
		const a = await joined(server.url, p.coach, p.sessionId);
		const r = await request<Ended>(a, 'session:end', { sessionId: p.sessionId });
		const summaryId = val(r).summaryId as string;
		await expect.poll(() => deliveries(p.coach, summaryId), { timeout: 10_000 }).toEqual(['sent', 'failed']);
		expect(await (await p.coach.get(`/summaries/${summaryId}`)).text()).toContain('is not a valid email address');
		expect(smtp.received.map(to)).toEqual([[p.coach.email]]);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
		// The coachee still has the summary in the app.
		expect((await p.coachee.get(`/summaries/${summaryId}`)).status).toBe(200);
	});
});

describe('without SMTP: the local outbox', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => {
		await server?.cleanup();
	});

	it('writes each message as an .eml file that only its recipient, or the coach, can open', async () => {
		const p = await pair(server.url);
		const a = await joined(server.url, p.coach, p.sessionId);
		const { summaryId } = val(await request<{ summaryId: string }>(a, 'session:end', { sessionId: p.sessionId }));
		// The Mailbox also lists the set-up's contract emails; these are the summaries'.
		const ids = async (v: Visitor) =>
			(await (await v.get('/outbox')).text())
				.split('<li')
				.filter((li) => li.includes('<strong>Session summary'))
				.flatMap((li) => /href="\/outbox\/([a-z2-7]+)"/.exec(li)?.[1] ?? []);
		await expect.poll(() => ids(p.coach), { timeout: 10_000 }).toHaveLength(2);
		const coacheeIds = await ids(p.coachee);
		expect(coacheeIds).toHaveLength(1);
		const [coachesOwn] = (await ids(p.coach)).filter((id) => id !== coacheeIds[0]);

		// The outbox also holds the set-up's contract emails; these are the summaries'.
		const outbox = path.join(server.dataDir, 'outbox');
		const files: string[] = [];
		for (const f of fs.readdirSync(outbox).filter((n) => n.endsWith('.eml'))) if (onlySummaries(await simpleParser(fs.readFileSync(path.join(outbox, f))))) files.push(f);
		expect(files.sort()).toEqual((await ids(p.coach)).map((id) => `${id}.eml`).sort());

		const raw = await p.coachee.get(`/outbox/${coacheeIds[0]}`);
		expect(raw.headers.get('content-type')).toBe('message/rfc822');
		const mail = await simpleParser(Buffer.from(await raw.arrayBuffer()));
		expect(to(mail)).toEqual([p.coachee.email]);
		expect(mail.text).toContain('## Agreed actions');
		expect(mail.text).not.toContain('Coach only');
		expect(mail.attachments.some((x) => x.filename === 'leading-the-new-team-session-1.md')).toBe(true);
		// The coach's own copy (with the coach-only part) is not the coachee's to open.
		expect((await p.coachee.get(`/outbox/${coachesOwn}`)).status).toBe(404);
		expect((await p.coach.get(`/outbox/${coacheeIds[0]}`)).status).toBe(200);
		const outsider = new Visitor(server.url);
		await outsider.signUp('Olly Outsider', uniqueEmail('olly'));
		expect(await (await outsider.get('/outbox')).text()).not.toContain(summaryId);
		expect((await outsider.get(`/outbox/${coacheeIds[0]}`)).status).toBe(404);
	});
});

describe('a mail server that never answers', () => {
	it('times the attempt out, shows why to the coach, and keeps the summary', async () => {
		// Accepts connections and says nothing, like a wedged or firewalled mail server.
		const silent = net.createServer(() => undefined);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
		const port = (silent.address() as net.AddressInfo).port;
		// The pair signs up through links mailed to them, so the server first has a working mail server.
		const working = await startSmtp();
		const server = await startServer({ env: { SMTP_URL: working.url } });
		try {
			const p = await pair(server.url);
			await server.stop();
			Object.assign(server.env, { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT_SECONDS: '0.5' });
			await server.restart();
			const a = await joined(server.url, p.coach, p.sessionId);
			const { summaryId } = val(await request<{ summaryId: string }>(a, 'session:end', { sessionId: p.sessionId }));
			await expect.poll(async () => (await (await p.coach.get(`/summaries/${summaryId}`)).text()), { timeout: 10_000 }).toContain('The mail server did not answer in time.');
			const page = await (await p.coach.get(`/summaries/${summaryId}`)).text();
			// Still queued for another attempt, not given up after one timeout.
			expect(page).toMatch(/data-status="(pending|sending)"/);
			expect((await p.coachee.get(`/summaries/${summaryId}`)).status).toBe(200);
		} finally {
			await server.cleanup();
			await working.close();
			silent.close();
		}
	});
});

describe.each<DbKind>(['sqlite', 'postgres'])('crashes and restarts on %s', (db) => {
	let smtp: TestSmtp;
	const servers: TestServer[] = [];
	beforeAll(async () => {
		smtp = await startSmtp({ keep: onlySummaries });
	});
	afterAll(async () => {
		for (const s of servers) await s.cleanup();
		await smtp?.close();
	});

	it('a kill between ending and delivery still sends both emails exactly once', async () => {
		smtp.received.length = 0;
		smtp.stalled = 0;
		const server = await startServer({ db, env: { SMTP_URL: smtp.url } });
		servers.push(server);
		const acceptedBefore = smtp.accepted;
		const accountBefore = smtp.accountMail.length;
		const p = await pair(server.url);
		// The set-up's contract emails (review, and in force to both) and the session's two invites go out before the mail server stalls (the sign-up links are not counted).
		await expect.poll(() => smtp.accepted - acceptedBefore - (smtp.accountMail.length - accountBefore), { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
		smtp.mode = 'stall';
		const a = await joined(server.url, p.coach, p.sessionId);
		const r = await request<Ended>(a, 'session:end', { sessionId: p.sessionId });
		expect(r.ok).toBe(true);
		await expect.poll(() => smtp.stalled, { timeout: 10_000 }).toBe(2);
		await server.stop('SIGKILL');
		smtp.mode = 'accept';
		await server.restart();
		const mails = await smtp.waitFor(2, 15_000);
		await new Promise((res) => setTimeout(res, 1000));
		expect(mails.map(to).flat().sort()).toEqual([p.coach.email, p.coachee.email].sort());
		expect(summaryLinks(await (await p.coach.get(`/engagements/${p.engagementId}/summaries`)).text())).toEqual(new Set([val(r).summaryId]));
	});

	it('a kill right after the end request is completed at the next start: one summary, both emails', async () => {
		smtp.received.length = 0;
		smtp.mode = 'accept';
		const server = await startServer({ db, env: { SMTP_URL: smtp.url, CONFIDANTE_FAILPOINTS: 'summary.afterEndMarked=kill' } });
		servers.push(server);
		const p = await pair(server.url);
		const a = await joined(server.url, p.coach, p.sessionId);
		const died = new Promise((res) => server.process.once('exit', res));
		const r = await request(a, 'session:end', { sessionId: p.sessionId }, 3000).catch((e: Error) => e);
		expect(r).toBeInstanceOf(Error); // the process died before answering
		await died;
		delete server.env.CONFIDANTE_FAILPOINTS;
		await server.restart();
		const mails = await smtp.waitFor(2, 15_000);
		expect(mails.map(to).flat().sort()).toEqual([p.coach.email, p.coachee.email].sort());
		const links = summaryLinks(await (await p.coach.get(`/engagements/${p.engagementId}/summaries`)).text());
		expect(links.size).toBe(1);
		// Asking again after the restart is answered with that same summary.
		const a2 = connect(server.url, p.coach.cookie);
		sockets.push(a2);
		await connected(a2);
		expect(await request(a2, 'session:end', { sessionId: p.sessionId })).toMatchObject({ ok: true, value: { summaryId: [...links][0], alreadyEnded: true } });
		await new Promise((res) => setTimeout(res, 500));
		expect(smtp.received).toHaveLength(2);
	});

	it('ends a session by itself when everyone has left, also across a restart', async () => {
		smtp.received.length = 0;
		smtp.mode = 'accept';
		const server = await startServer({ db, env: { SMTP_URL: smtp.url, EMPTY_SESSION_END_MINUTES: '0.03' } });
		servers.push(server);
		const p = await pair(server.url);
		const a = await joined(server.url, p.coach, p.sessionId);
		const b = await joined(server.url, p.coachee, p.sessionId);
		await request(a, 'session:leave', { sessionId: p.sessionId });
		// Someone still in the room keeps it going.
		await new Promise((res) => setTimeout(res, 2500));
		const notYet = await p.coach.get(`/sessions/${p.sessionId}/summary`);
		expect(notYet.status).toBe(200);
		expect(await notYet.text()).toContain('This session has not ended yet.');
		await request(b, 'session:leave', { sessionId: p.sessionId });
		await expect.poll(async () => (await p.coach.get(`/sessions/${p.sessionId}/summary`)).status, { timeout: 10_000 }).toBe(303);
		await smtp.waitFor(2);

		// A live session nobody returns to after a restart ends too.
		const q = await pair(server.url);
		await joined(server.url, q.coach, q.sessionId);
		await server.stop('SIGKILL');
		await server.restart();
		await expect.poll(async () => (await q.coach.get(`/sessions/${q.sessionId}/summary`)).status, { timeout: 10_000 }).toBe(303);
		await smtp.waitFor(4);
		const page = await (await q.coachee.get(`/summaries/${(await q.coach.get(`/sessions/${q.sessionId}/summary`)).headers.get('location')!.split('/').pop()}`)).text();
		expect(page).toContain('Agreed actions');
	});
});
