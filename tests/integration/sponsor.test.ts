/**
 * Issue 12, the sponsor: invited with their own single-use link, they see
 * the sponsor-visible contract, session dates and approved updates, and
 * nothing else. The access matrix is generated from the route tree (every
 * page, endpoint and form action under web/src/routes) plus every pad name
 * and the session socket; the bytes of notes, actions and private notes
 * never reach the sponsor's pages, connections or email.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ParsedMail } from 'mailparser';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { ACCOUNT_ROUTES, PRACTICE_ROUTES, SCHEME_ROUTES, routeTree, routeUrl } from '../helpers/routes.ts';
import { Visitor, coachingPair, joinAsSponsor, uniqueEmail } from '../helpers/http.ts';
import { padClient, rawPadSocket, until } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { addressedTo, has, mailText, outboxMails, padsAndSocketRefuse, writeAndEndSession } from '../helpers/session-content.ts';
import { insertAction, newAction, notesOf, padName, readActions, readCarriedActions } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

const NOTE = 'NOTE-7f3a-only-for-coach-and-coachee';
const ACTION = 'ACTION-91c2-only-for-coach-and-coachee';
const PRIVATE = 'PRIVATE-5d8e-only-for-the-coach';
const APPROVED = 'Sam has run two team meetings and wants to keep going.';
const DECLINED = 'DECLINED-2b6f-never-for-the-sponsor';
const SECRETS = [NOTE, ACTION, PRIVATE, DECLINED];

/** Routes a sponsor may open: public ones, their own page and account pages, and the engagement they may create. */
// Scheme routes hold nothing of any engagement; their own matrix is in schemes.test.ts.
const OPEN_TO_SPONSOR = new Set(['/', '/signin', '/signup', '/signout', '/outbox', '/engagements/new', '/proposals/new', '/invite/[token]', '/sponsor-invite/[token]', '/scoping/[token]', '/sponsor/[id]', ...ACCOUNT_ROUTES, ...SCHEME_ROUTES, ...PRACTICE_ROUTES]);

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the sponsor on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('sees only the contract parts, session dates and approved updates; every other route, pad and socket is refused', async () => {
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);

			// The sponsor joins with their own link.
			const sponsor = new Visitor(server.url);
			const sponsorEmail = uniqueEmail('pat');
			await sponsor.signUp('Pat Sponsor', sponsorEmail);
			const link = await coach.action(`/engagements/${engagementId}?/sponsorLink`);
			expect(link.type).toBe('success');
			const token = new URL(link.data.sponsorLink.url).pathname;
			expect(await coachee.action(token)).toMatchObject({ type: 'failure', status: 409 });
			expect(await sponsor.action(token)).toMatchObject({ type: 'redirect', location: `/sponsor/${engagementId}` });
			const late = new Visitor(server.url);
			await late.signUp('Lee Late', uniqueEmail('lee'));
			expect(await late.action(token)).toMatchObject({ type: 'failure', status: 410 });

			// Coach and coachee write in the pad; the session ends, so summaries and their emails exist.
			const summaryId = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: NOTE, action: ACTION, privateNote: PRIVATE });

			// Updates: one approved (edited by the coachee), one declined.
			for (const text of ['Sam is making progress.', DECLINED]) {
				expect((await coach.action(`/engagements/${engagementId}?/draftUpdate`, { text })).type).toBe('success');
			}
			const page = await (await coachee.get(`/engagements/${engagementId}`)).text();
			const ids = [...page.matchAll(/name="update" value="([a-z2-7]+)"/g)].map((m) => m[1]!);
			expect(ids).toHaveLength(2);
			const [declineId, approveId] = page.indexOf(DECLINED) < page.indexOf('Sam is making progress.') ? ids : [ids[1]!, ids[0]!];
			expect(await sponsor.action(`/engagements/${engagementId}?/decideUpdate`, { update: approveId!, decision: 'approve', text: 'x' })).toMatchObject({ status: 404 });
			expect(await coach.action(`/engagements/${engagementId}?/decideUpdate`, { update: approveId!, decision: 'approve', text: 'x' })).toMatchObject({ status: 403 });
			expect(await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: approveId!, decision: 'approve', text: APPROVED })).toMatchObject({ type: 'success' });
			expect(await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: approveId!, decision: 'decline' })).toMatchObject({ status: 409 });
			expect(await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: declineId!, decision: 'decline' })).toMatchObject({ type: 'success' });

			// The sponsor's own page: goals, plan, sessions, the approved update; nothing else.
			const own = await (await sponsor.get(`/sponsor/${engagementId}`)).text();
			expect(own).toContain('Confident first 90 days');
			expect(own).toContain(APPROVED);
			expect(own).toMatch(/1 held, 5 left/);
			expect(has(own, SECRETS)).toEqual([]);
			expect(own).not.toContain('Team survey at 4 of 5'); // how a goal is measured stays with coach and coachee
			expect((await coachee.get(`/sponsor/${engagementId}`)).status).toBe(404);
			const dash = await (await sponsor.get('/')).text();
			expect(dash).toContain(`/sponsor/${engagementId}`);
			expect(dash).not.toContain(`/engagements/${engagementId}"`);

			// Every other route of the app, generated from the route tree, with real ids.
			const outboxJob = await coachee.get('/outbox').then((r) => r.text()).then((t) => /href="\/outbox\/([a-z2-7]+)"/.exec(t)?.[1] ?? 'none');
			const proposal = await coach.action('/proposals/new', { kind: 'coaching', title: 'Another team', request: 'A second request.', prospectName: 'Robin', prospectEmail: uniqueEmail('robin') });
			const proposalId = proposal.location?.split('/').pop() ?? 'none';
			const values: Record<string, string> = { engagements: engagementId, sessions: sessionId, summaries: summaryId, outbox: outboxJob, proposals: proposalId, practice: engagementId, v: '1' };
			const tried: string[] = [];
			for (const route of routeTree()) {
				if (OPEN_TO_SPONSOR.has(route.pattern)) continue;
				const url = routeUrl(route.pattern, values);
				expect(url, `no id for ${route.pattern}`).not.toMatch(/\[|\/x(\/|$)/);
				const res = await sponsor.get(url);
				expect([403, 404], `${url} answered ${res.status}`).toContain(res.status);
				expect(has(await res.text(), SECRETS), url).toEqual([]);
				for (const action of route.actions) {
					const r = await sponsor.action(action === 'default' ? url : `${url}?/${action}`, { text: 'x', update: approveId!, decision: 'approve', version: '1', typedName: 'Pat Sponsor' });
					expect(['failure', 'error'], `${url}?/${action} answered ${r.type}`).toContain(r.type);
					expect([403, 404], `${url}?/${action} answered ${r.status}`).toContain(r.status);
				}
				tried.push(url);
			}
			expect(tried.length).toBeGreaterThanOrEqual(10);

			// Pads and the session socket refuse the sponsor before any byte of the document.
			expect(await padsAndSocketRefuse(server.url, sponsor.cookie, sessionId, SECRETS)).toEqual({ closes: [4404, 4404], leaked: [], joined: false, answered: [] });

			// Email: the sponsor receives the approved update and nothing else; the coachee's summary carries the notes.
			await until(() => fs.existsSync(path.join(server.dataDir, 'outbox')) && fs.readdirSync(path.join(server.dataDir, 'outbox')).length >= 3, 15_000, 'emails written');
			let mails: ParsedMail[] = [];
			for (let i = 0; i < 50 && !(mails = await outboxMails(server)).some((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account'); i++) await new Promise((r) => setTimeout(r, 200));
			// Coaching mail only: the sponsor's sign-up link is an account email.
			const toSponsor = mails.filter((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account');
			expect(toSponsor).toHaveLength(1);
			expect(toSponsor[0]!.text).toContain(APPROVED);
			const raw = toSponsor.map(mailText).join('\n');
			expect(has(raw, [...SECRETS, 'Sam is making progress.'])).toEqual([]);
			expect(mails.some((m) => (m.text ?? '').includes(NOTE))).toBe(true);
		});

		it('joins a three-way meeting only: its own pad and room, its summary by email and page; never an ordinary session, private notes or a prompt', async () => {
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
			// No sponsor yet: no three-way meeting.
			const early = await coach.action(`/engagements/${engagementId}?/schedule`, { kind: 'three_way', scheduledAt: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: '45' });
			expect(early).toMatchObject({ type: 'failure', status: 409 });
			const { sponsor, email: sponsorEmail } = await joinAsSponsor(server.url, coach, engagementId);
			expect((await sponsor.action(`/engagements/${engagementId}?/schedule`, { kind: 'three_way', scheduledAt: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: '45' })).status).toBe(404);
			const meetingId = await coach.scheduleSession(engagementId, 10, 45, 'three_way');

			// The coaching session's pad holds an open action and notes: none of it may reach the meeting's pad.
			const coaching = padClient(server.url, coach.cookie, sessionId, 'shared');
			await coaching.synced();
			const p = new Y.XmlElement('paragraph');
			p.insert(0, [new Y.XmlText(NOTE)]);
			notesOf(coaching.doc).push([p]);
			insertAction(coaching.doc, newAction('coach', { text: ACTION }));
			await until(() => coaching.provider.synced, 5000, 'coaching pad saved');
			await new Promise((r) => setTimeout(r, 300));
			coaching.destroy();

			// The sponsor, refused on every ordinary door, is let into the meeting's shared pad only.
			for (const kind of ['shared', 'private'] as const) {
				const raw = await rawPadSocket(server.url, sponsor.cookie, padName(sessionId, kind));
				expect((await raw.closed).code).toBe(4404);
			}
			const meetingPrivate = await rawPadSocket(server.url, sponsor.cookie, padName(meetingId, 'private'));
			expect((await meetingPrivate.closed).code).toBe(4404);
			expect(meetingPrivate.frames).toHaveLength(0);
			const AGREED = 'AGREED-4c1d-with-the-sponsor';
			const MEETING_PRIVATE = 'PRIVATE-8e2a-coach-notes-in-the-meeting';
			const coachPad = padClient(server.url, coachee.cookie, meetingId, 'shared');
			const coachPrivate = padClient(server.url, coach.cookie, meetingId, 'private');
			await Promise.all([coachPad.synced(), coachPrivate.synced()]);
			insertAction(coachPad.doc, newAction('coachee', { text: AGREED, owner: 'coachee' }));
			const q = new Y.XmlElement('paragraph');
			q.insert(0, [new Y.XmlText(MEETING_PRIVATE)]);
			notesOf(coachPrivate.doc).push([q]);
			const sponsorPad = padClient(server.url, sponsor.cookie, meetingId, 'shared');
			await sponsorPad.synced();
			await until(() => readActions(sponsorPad.doc).some((a) => a.text === AGREED), 5000, 'the sponsor sees the meeting pad');
			expect(readCarriedActions(sponsorPad.doc)).toEqual([]);
			const sponsorBytes = Buffer.concat(sponsorPad.frames).toString('latin1');
			expect(has(sponsorBytes, [...SECRETS, MEETING_PRIVATE])).toEqual([]);

			// The room: not an ordinary session's, but the meeting's, as "sponsor"; prompts stay out.
			const s = connect(server.url, sponsor.cookie);
			await connected(s);
			expect((await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).ok).toBe(false);
			const joined = await request<{ role: string }>(s, 'session:join', { sessionId: meetingId, protocolVersion: PROTOCOL_VERSION });
			expect(joined).toMatchObject({ ok: true, value: { role: 'sponsor' } });
			expect(await request(s, 'prompts:current-card', { sessionId: meetingId })).toMatchObject({ ok: true, value: null });
			expect((await request(s, 'prompts:show', { sessionId: meetingId, text: 'x' })).ok).toBe(false);
			expect((await request(s, 'session:end', { sessionId: meetingId })).ok).toBe(false);
			expect((await sponsor.get(`/sessions/${meetingId}`)).status).toBe(200);
			expect((await sponsor.get(`/sessions/${sessionId}`)).status).toBe(404);
			const own = await (await sponsor.get(`/sponsor/${engagementId}`)).text();
			expect(own).toContain(`/sessions/${meetingId}`);
			expect(own).not.toContain(`/sessions/${sessionId}`);

			// The coach ends the meeting: its summary goes to all three, the sponsor's without private notes.
			const coachSocket = connect(server.url, coach.cookie);
			await connected(coachSocket);
			expect((await request(coachSocket, 'session:join', { sessionId: meetingId, protocolVersion: PROTOCOL_VERSION })).ok).toBe(true);
			await new Promise((r) => setTimeout(r, 400));
			const ended = await request<{ summaryId: string }>(coachSocket, 'session:end', { sessionId: meetingId });
			expect(ended.ok).toBe(true);
			const summaryId = ended.ok ? ended.value.summaryId : '';
			for (const c of [coachPad, coachPrivate, sponsorPad]) c.destroy();
			coachSocket.close();
			s.close();
			const redirect = await sponsor.get(`/sessions/${meetingId}/summary`);
			expect(redirect.status).toBe(303);
			const page = await (await sponsor.get(`/summaries/${summaryId}`)).text();
			expect(page).toContain(AGREED);
			expect(page).toContain('Pat Sponsor');
			expect(has(page, [...SECRETS, MEETING_PRIVATE])).toEqual([]);
			expect((await sponsor.get(`/summaries/${summaryId}.md`)).status).toBe(200);
			const coachPage = await (await coach.get(`/summaries/${summaryId}`)).text();
			expect(coachPage).toContain(MEETING_PRIVATE);

			let mails: ParsedMail[] = [];
			for (let i = 0; i < 75 && !(mails = await outboxMails(server)).some((m) => addressedTo(m, sponsorEmail) && (m.text ?? '').includes(AGREED)); i++) await new Promise((r) => setTimeout(r, 200));
			// Coaching mail only: the sponsor's sign-up link is an account email.
			const toSponsor = mails.filter((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account');
			expect(toSponsor).toHaveLength(1);
			const raw = toSponsor.map((m) => `${m.subject}\n${m.text}\n${m.html || ''}\n${m.attachments.map((a) => a.content.toString('latin1')).join('\n')}`).join('\n');
			expect(raw).toContain(AGREED);
			expect(has(raw, [...SECRETS, MEETING_PRIVATE])).toEqual([]);

			// A correction of the meeting's summary reaches the sponsor too, still without the private notes.
			const corrected = await coach.action(`/summaries/${summaryId}/correct`, {
				action_id_0: '', action_text_0: `${AGREED} (corrected)`, action_owner_0: 'Sam Coachee', action_due_0: '', action_status_0: 'open',
				learningPoints: '', notes: '', privateNotes: MEETING_PRIVATE, note: 'wording', notify: 'on'
			});
			expect(corrected.type).toBe('redirect');
			let again: ParsedMail[] = [];
			for (let i = 0; i < 75 && (again = (await outboxMails(server)).filter((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account')).length < 2; i++) await new Promise((r) => setTimeout(r, 200));
			expect(again).toHaveLength(2);
			const second = again.map((m) => `${m.subject}\n${m.text}\n${m.html || ''}`).join('\n');
			expect(second).toContain(`${AGREED} (corrected)`);
			expect(has(second, [...SECRETS, MEETING_PRIVATE])).toEqual([]);
		});
	});
}
