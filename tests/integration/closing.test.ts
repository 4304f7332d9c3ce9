/**
 * Issue 14, part 2: closing an engagement. The coach closes it (or one side
 * proposes and the other agrees); closing twice, a stranger and a coachee
 * alone are refused; booked sessions are cancelled with their calendar
 * CANCEL and no more can be booked; both give a final evaluation; the report
 * is emailed once to each, the coach's copy with the private reflection and
 * the coachee's without; the sponsor gets only the version the coachee
 * approved. A crash right after the report is stored still sends it once per
 * person, and the follow-up job asks the coachee whether the change lasted.
 * On SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, joinAsSponsor, uniqueEmail } from '../helpers/http.ts';
import { addressedTo, mailText, outboxMails, writeAndEndSession } from '../helpers/session-content.ts';

const REFLECTION = 'REFLECT-8c1d-only-in-the-coach-copy';
const LEARNING = 'LEARN-3e9a-feedback-lands-better-when-asked-for';
const DONE = 'DONE-6b2f-ran-the-first-one-to-one';
const COMMENT = 'COMMENT-1a7c-thank-you-for-the-questions';
const FOLLOW_UP = 'LASTED-4d0e-still-doing-weekly-one-to-ones';
const DAY = 24 * 60 * 60_000;

const evaluation = (goalId: string, score = '7', extra: Record<string, string> = {}) => ({ helpful: '5', learning: '4', gained: '4', organisation: '3', [`goal.${goalId}`]: score, ...extra });
const goalIdOn = async (v: Visitor, engagementId: string) => /name="goal\.([^"]+)"/.exec(await (await v.get(`/engagements/${engagementId}/closing`)).text())?.[1] ?? '';
const reports = async (server: TestServer, address: string) => (await outboxMails(server)).filter((m) => m.subject?.startsWith('Report:') && addressedTo(m, address));

async function mailsArrive(server: TestServer, pick: (all: ParsedMail[]) => ParsedMail[], count: number, what: string): Promise<ParsedMail[]> {
	let found: ParsedMail[] = [];
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		found = pick(await outboxMails(server));
		if (found.length >= count) return found;
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new Error(`${what}: ${found.length} of ${count} arrived`);
}

/** A pair with one session held (a learning point and a done action in it) and one more booked two days ahead. */
async function heldPair(base: string) {
	const pair = await coachingPair(base);
	await writeAndEndSession(base, pair.coach.cookie, pair.sessionId, { note: 'Notes', action: 'Open action', privateNote: 'Private', learning: LEARNING, doneAction: DONE });
	const upcoming = await pair.coach.scheduleSession(pair.engagementId, 2 * 24 * 60);
	return { ...pair, upcoming };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`closing an engagement on ${db}`, () => {
		let server: TestServer;
		let clockFile: string;
		const setClock = (at: number) => fs.writeFileSync(clockFile, String(at));
		beforeAll(async () => {
			clockFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-clock-')), 'now');
			server = await startServer({ db, env: { CONFIDANTE_CLOCK_FILE: clockFile } });
		});
		afterAll(async () => {
			await server?.cleanup();
			fs.rmSync(path.dirname(clockFile), { recursive: true, force: true });
		});

		it('closes once, by the coach or by agreement; cancels what was booked; refuses strangers, a coachee alone and a second close', async () => {
			const { coach, coachee, engagementId, upcoming, emails } = await heldPair(server.url);
			const close = (v: Visitor, fields: Record<string, string> = {}) => v.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'completed', note: 'All six sessions held.', followUpMonths: '3', ...fields });
			const answer = (v: Visitor, decision: string) => v.action(`/engagements/${engagementId}/closing?/answer`, { decision, followUpMonths: '3' });

			const stranger = new Visitor(server.url);
			await stranger.signUp('Stella Stranger', uniqueEmail('stella'));
			expect(await close(stranger)).toMatchObject({ status: 404 });
			expect(await answer(stranger, 'agree')).toMatchObject({ status: 404 });
			for (const p of ['closing', 'report', 'report.md', 'report.pdf']) expect((await stranger.get(`/engagements/${engagementId}/${p}`)).status).toBe(404);
			const signedOut = new Visitor(server.url);
			expect((await signedOut.get(`/engagements/${engagementId}/report`)).status).toBe(303);

			// A coachee cannot close alone; they propose, and cannot agree to their own proposal.
			expect(await close(coachee)).toMatchObject({ status: 403, data: { error: { message: expect.stringContaining('propose closing') } } });
			expect(await close(coach, { reason: 'bored' })).toMatchObject({ status: 400, data: { error: { field: 'reason' } } });
			expect(await close(coachee, { mode: 'propose' })).toMatchObject({ type: 'success', data: { closing: 'proposed' } });
			expect(await answer(coachee, 'agree')).toMatchObject({ status: 403 });
			expect(await close(coach, { mode: 'propose' })).toMatchObject({ status: 409 });
			expect(await answer(coach, 'decline')).toMatchObject({ type: 'success', data: { closing: 'open' } });
			expect(await answer(coach, 'agree')).toMatchObject({ status: 409 });

			// The coach closes it; a second close is refused, from either side.
			expect(await close(coach)).toMatchObject({ type: 'success', data: { closing: 'closed' } });
			expect(await close(coach)).toMatchObject({ status: 409, data: { error: { message: expect.stringContaining('already closed') } } });
			expect(await close(coachee, { mode: 'propose' })).toMatchObject({ status: 409 });

			// Booked sessions are cancelled the ordinary way (everyone's calendar CANCEL), and no more can be booked.
			const cancels = await mailsArrive(server, (all) => all.filter((m) => mailText(m).includes('METHOD:CANCEL') && mailText(m).includes(upcoming)), 2, 'calendar cancellations');
			expect(cancels.some((m) => addressedTo(m, emails.coachees[0]!))).toBe(true);
			const page = await (await coach.get(`/engagements/${engagementId}`)).text();
			expect(page).toContain('data-testid="closed-badge"');
			expect(page).not.toContain('action="?/schedule"');
			const booking = await coach.action(`/engagements/${engagementId}?/schedule`, { kind: 'session', scheduledAt: new Date(Date.now() + 3 * DAY).toISOString(), durationMinutes: '60' });
			expect(booking).toMatchObject({ status: 409, data: { error: { message: expect.stringContaining('closed') } } });
			expect(await (await coachee.get('/')).text()).toMatch(/badge closed/);
		});

		it('takes each final evaluation once and sends each person their own copy of the report once; the sponsor sees only what the coachee approved', async () => {
			const { coach, coachee, engagementId, emails } = await heldPair(server.url);
			const { sponsor } = await joinAsSponsor(server.url, coach, engagementId);
			const evaluate = (v: Visitor, fields: Record<string, string>) => v.action(`/engagements/${engagementId}/closing?/evaluate`, fields);
			expect(await evaluate(coach, evaluation('x'))).toMatchObject({ status: 409 });
			expect(await coach.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'early_goals_met', note: 'Goals met after one session.', followUpMonths: '0' })).toMatchObject({ type: 'success' });
			const goal = await goalIdOn(coach, engagementId);
			expect(goal).not.toBe('');

			expect(await evaluate(coach, evaluation(goal, '11'))).toMatchObject({ status: 400, data: { error: { field: `goal.${goal}` } } });
			expect(await evaluate(coach, { ...evaluation(goal), helpful: '6' })).toMatchObject({ status: 400, data: { error: { field: 'helpful' } } });
			expect(await evaluate(coach, { helpful: '5', learning: '4', gained: '4', organisation: '3' })).toMatchObject({ status: 400, data: { error: { field: `goal.${goal}` } } });
			expect(await evaluate(sponsor, evaluation(goal))).toMatchObject({ status: 404 });
			expect(await evaluate(coach, evaluation(goal, '8', { reflection: REFLECTION, comment: 'A good piece of work.' }))).toMatchObject({ type: 'success', data: { evaluated: { complete: false } } });
			expect(await evaluate(coach, evaluation(goal))).toMatchObject({ status: 409 });
			await new Promise((r) => setTimeout(r, 1500));
			expect(await reports(server, emails.coach)).toHaveLength(0);
			expect(await evaluate(coachee, evaluation(goal, '6', { comment: COMMENT, reflection: 'ignored for a coachee' }))).toMatchObject({ type: 'success', data: { evaluated: { complete: true } } });

			// Both evaluated: the report goes to both, once, each in their own copy.
			const [coachMail] = await mailsArrive(server, (all) => all.filter((m) => m.subject?.startsWith('Report:') && addressedTo(m, emails.coach)), 1, 'coach report');
			const [coacheeMail] = await mailsArrive(server, (all) => all.filter((m) => m.subject?.startsWith('Report:') && addressedTo(m, emails.coachees[0]!)), 1, 'coachee report');
			for (const text of [LEARNING, DONE, COMMENT, REFLECTION]) expect(mailText(coachMail!)).toContain(text);
			for (const text of [LEARNING, DONE, COMMENT]) expect(mailText(coacheeMail!)).toContain(text);
			expect(mailText(coacheeMail!)).not.toContain(REFLECTION);
			expect(coacheeMail!.attachments.map((a) => a.contentType).sort()).toEqual(['application/pdf', 'text/markdown']);

			// The pages and downloads: the same cut per reader.
			const coachPage = await (await coach.get(`/engagements/${engagementId}/report`)).text();
			const coacheePage = await (await coachee.get(`/engagements/${engagementId}/report`)).text();
			expect(coachPage).toContain(REFLECTION);
			expect(coacheePage).toContain(LEARNING);
			expect(coacheePage).toContain('6/10');
			expect(coacheePage).not.toContain(REFLECTION);
			expect(coacheePage).not.toContain('ignored for a coachee');
			expect(await (await coachee.get(`/engagements/${engagementId}/report.md`)).text()).not.toContain(REFLECTION);
			expect(await (await coach.get(`/engagements/${engagementId}/report.md`)).text()).toContain(REFLECTION);
			const pdf = await coach.get(`/engagements/${engagementId}/report.pdf`);
			expect(pdf.headers.get('content-type')).toBe('application/pdf');
			expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

			// The sponsor: no report page; the short version waits for the coachee's approval.
			for (const p of ['closing', 'report', 'report.md', 'report.pdf']) expect((await sponsor.get(`/engagements/${engagementId}/${p}`)).status).toBe(404);
			// Drafted by the report job right after it queued the emails.
			let coacheeView = '';
			for (let i = 0; i < 40 && !coacheeView.includes('rated 0 to 10 at the close'); i++) {
				if (i) await new Promise((r) => setTimeout(r, 250));
				coacheeView = await (await coachee.get(`/engagements/${engagementId}`)).text();
			}
			expect(coacheeView).toContain('rated 0 to 10 at the close');
			const update = /name="update" value="([a-z0-9]+)"/.exec(coacheeView)?.[1];
			expect(update).toBeDefined();
			const sponsorBefore = await (await sponsor.get(`/sponsor/${engagementId}`)).text();
			expect(sponsorBefore).not.toContain('rated 0 to 10 at the close');
			const approved = 'The coaching closed early: the goal is met. Sam rates it 6 of 10.';
			expect(await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: update!, decision: 'approve', text: approved })).toMatchObject({ type: 'success' });
			const sponsorAfter = await (await sponsor.get(`/sponsor/${engagementId}`)).text();
			expect(sponsorAfter).toContain(approved);
			for (const secret of [LEARNING, DONE, REFLECTION, COMMENT]) expect(sponsorAfter).not.toContain(secret);
			expect(await reports(server, emails.coach)).toHaveLength(1);
			expect(await reports(server, emails.coachees[0]!)).toHaveLength(1);
		});

		it('asks the coachee on the follow-up date whether the change lasted, sends the report when the days after close run out, and nudges no more', async () => {
			const { coach, coachee, engagementId, emails } = await heldPair(server.url);
			// An open engagement beside it, as slow: the rhythm's nudge shows the sweep ran.
			const open = await coachingPair(server.url);
			await writeAndEndSession(server.url, open.coach.cookie, open.sessionId, { note: 'Notes', action: 'Open action', privateNote: 'Private' });
			expect(await coach.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'completed', note: 'Done.', followUpMonths: '1' })).toMatchObject({ type: 'success' });
			const followUp = (v: Visitor, fields: Record<string, string> = { lasted: 'yes', notes: FOLLOW_UP }) => v.action(`/engagements/${engagementId}/closing?/followUp`, fields);
			expect(await followUp(coachee)).toMatchObject({ status: 409, data: { error: { message: expect.stringContaining('opens on') } } });
			expect(await reports(server, emails.coachees[0]!)).toHaveLength(0);

			setClock(Date.now() + 32 * DAY);
			try {
				const [ask] = await mailsArrive(server, (all) => all.filter((m) => m.subject?.startsWith('Did the change last?') && addressedTo(m, emails.coachees[0]!)), 1, 'follow-up email');
				expect(mailText(ask!)).toContain(`/engagements/${engagementId}/closing#follow-up`);
				// Nobody evaluated, but 14 days have passed: the report went to both anyway.
				await mailsArrive(server, (all) => all.filter((m) => m.subject?.startsWith('Report:') && (addressedTo(m, emails.coach) || addressedTo(m, emails.coachees[0]!)) && mailText(m).includes(LEARNING)), 2, 'report after the deadline');
				expect(await followUp(coach)).toMatchObject({ status: 403 });
				expect(await followUp(coachee, { lasted: 'forever' })).toMatchObject({ status: 400, data: { error: { field: 'lasted' } } });
				expect(await followUp(coachee)).toMatchObject({ type: 'success' });
				expect(await followUp(coachee)).toMatchObject({ status: 409 });
				expect(await (await coach.get(`/engagements/${engagementId}/report`)).text()).toContain(FOLLOW_UP);
				// A month and more without a session: the open engagement's coach is nudged, the closed one's is not.
				const nudge = (m: ParsedMail) => m.subject?.startsWith('Nothing booked') ?? false;
				await mailsArrive(server, (all) => all.filter((m) => nudge(m) && addressedTo(m, open.emails.coach)), 1, 'the open engagement’s nudge');
				expect((await outboxMails(server)).filter((m) => nudge(m) && addressedTo(m, emails.coach))).toHaveLength(0);
			} finally {
				fs.rmSync(clockFile, { force: true });
			}
		});
	});

	describe(`the report after a crash on ${db}`, () => {
		let server: TestServer;
		let clockFile: string;
		beforeAll(async () => {
			clockFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-clock-')), 'now');
			server = await startServer({ db, env: { CONFIDANTE_CLOCK_FILE: clockFile, CONFIDANTE_FAILPOINTS: 'closing.afterReportStored=kill' } });
		});
		afterAll(async () => {
			await server?.cleanup();
			fs.rmSync(path.dirname(clockFile), { recursive: true, force: true });
		});

		it('is sent exactly once to each person when the server dies right after storing it', async () => {
			const { coach, coachee, engagementId, emails } = await coachingPair(server.url);
			const exited = new Promise<NodeJS.Signals | null>((resolve) => server.process.once('exit', (_code, signal) => resolve(signal)));
			expect(await coach.action(`/engagements/${engagementId}/closing?/close`, { mode: 'close', reason: 'early_other', note: 'A new role elsewhere.', followUpMonths: '0' })).toMatchObject({ type: 'success' });
			const goal = await goalIdOn(coach, engagementId);
			expect(await coach.action(`/engagements/${engagementId}/closing?/evaluate`, evaluation(goal, '5', { reflection: REFLECTION }))).toMatchObject({ type: 'success' });
			// The last evaluation runs the report job, which stores the report and is killed there.
			await coachee.action(`/engagements/${engagementId}/closing?/evaluate`, evaluation(goal, '4')).catch(() => undefined);
			expect(await exited).toBe('SIGKILL');
			expect(await reports(server, emails.coach)).toHaveLength(0);

			delete server.env.CONFIDANTE_FAILPOINTS;
			// The dead process's claim on the job runs out; the next start takes it again.
			fs.writeFileSync(clockFile, String(Date.now() + 6 * 60_000));
			await server.restart();
			await mailsArrive(server, (all) => all.filter((m) => m.subject?.startsWith('Report:')), 2, 'reports after the restart');
			// Give a duplicate every chance to appear: more scheduler polls and mail drains.
			await new Promise((r) => setTimeout(r, 4000));
			expect(await reports(server, emails.coach)).toHaveLength(1);
			expect(await reports(server, emails.coachees[0]!)).toHaveLength(1);
			expect(mailText((await reports(server, emails.coach))[0]!)).toContain(REFLECTION);
			expect(mailText((await reports(server, emails.coachees[0]!))[0]!)).not.toContain(REFLECTION);
		});
	});
}
