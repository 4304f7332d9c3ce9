/**
 * Issue 15, schemes, on SQLite and PostgreSQL: invitations, profiles only
 * their volunteer edits, a request with its readiness check, suggestions
 * with reasons, the match state machine (decline with a reason kept,
 * withdrawn, beyond capacity, two coordinators at once, double accept,
 * another scheme's coordinator), placement into an engagement with an
 * introductory meeting, feedback totals, and the coordinator's access
 * matrix: every route of the route tree, both pads and the session socket
 * refuse them, and no byte of the session's content reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { SCHEME, ask, person, profile, requestIdIn, schemeOf, volunteer } from '../helpers/schemes.ts';
import { ACCOUNT_ROUTES, PRACTICE_ROUTES, SCHEME_ROUTES, routeTree, routeUrl } from '../helpers/routes.ts';
import { addressedTo, has, mailText, outboxMails, padsAndSocketRefuse, writeAndEndSession } from '../helpers/session-content.ts';

const NOTE = 'NOTE-4c1e-between-coach-and-coachee';
const ACTION = 'ACTION-77d0-between-coach-and-coachee';
const PRIVATE = 'PRIVATE-a91b-coach-only';
const SECRETS = [NOTE, ACTION, PRIVATE];

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`schemes on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('invites volunteers, matches by readiness and reasons, places both into an engagement, and keeps the coordinator out of session content', async () => {
			const base = server.url;
			const [coord, coord2, other, coachA, coachB, coachee, coachee2, stranger] = await Promise.all([
				person(base, 'Cora Coordinator', 'cora'),
				person(base, 'Dev Coordinator', 'dev'),
				person(base, 'Olu Other', 'olu'),
				person(base, 'Ada Coach', 'ada'),
				person(base, 'Ben Coach', 'ben'),
				person(base, 'Sam Coachee', 'sam'),
				person(base, 'Kim Coachee', 'kim'),
				person(base, 'Stu Stranger', 'stu')
			]);
			const schemeId = await schemeOf(coord.v);
			const otherScheme = await schemeOf(other.v, 'Another scheme');
			expect((await coord.v.action('/schemes/new', { ...SCHEME, areas: '' })).status).toBe(400);

			// Invitations: for one address, once.
			const a = await volunteer(coord.v, schemeId, coachA);
			const b = await volunteer(coord.v, schemeId, coachB);
			await volunteer(coord.v, schemeId, coord2, 'coordinator');
			expect(await stranger.v.action(a.path)).toMatchObject({ type: 'failure', status: 410 });
			const forAda = await coord.v.action(`/schemes/${schemeId}?/invite`, { name: 'Ada again', email: coachA.email, role: 'volunteer' });
			expect(await stranger.v.action(new URL(forAda.data.invited.url).pathname)).toMatchObject({ type: 'failure', status: 403 });
			expect((await other.v.action(`/schemes/${schemeId}?/invite`, { name: 'X', email: 'x@example.org', role: 'volunteer' })).status).toBe(404);

			// Profiles: each volunteer edits their own; coordinators of this scheme read them, nobody else.
			expect((await coachA.v.action(`/schemes/${schemeId}/volunteers/${a.id}?/save`, profile({ areas: ['Leadership', 'Confidence'], capacity: '1' }))).type).toBe('success');
			expect((await coachB.v.action(`/schemes/${schemeId}/volunteers/${b.id}?/save`, profile({ areas: ['Finance'], timeZone: 'Asia/Tokyo', capacity: '2' }))).type).toBe('success');
			// Another volunteer cannot read Ben's profile, so saving it answers as for no profile at all (the coordinator is told 403).
			expect(await coachA.v.action(`/schemes/${schemeId}/volunteers/${b.id}?/save`, profile({ capacity: '0' }))).toMatchObject({ type: 'failure', status: 404 });
			expect(await coord.v.action(`/schemes/${schemeId}/volunteers/${b.id}?/save`, profile({ capacity: '0' }))).toMatchObject({ type: 'failure', status: 403 });
			expect(await coachA.v.action(`/schemes/${schemeId}/volunteers/${a.id}?/save`, profile({ areas: ['Knitting'] }))).toMatchObject({ status: 400 });
			expect((await coord.v.get(`/schemes/${schemeId}/volunteers/${b.id}`)).status).toBe(200);
			expect((await other.v.get(`/schemes/${schemeId}/volunteers/${b.id}`)).status).toBe(404);
			expect((await coachA.v.get(`/schemes/${schemeId}`)).status).toBe(404);

			// Requests: the terms are shown before committing; the readiness check flags the weak one.
			const askPage = await (await coachee.v.get(`/schemes/${schemeId}/ask`)).text();
			expect(askPage).toContain('6 sessions of 60 minutes, every month');
			expect((await coachee.v.action(`/schemes/${schemeId}/ask?/request`, ask())).type).toBe('success');
			expect(await coachee.v.action(`/schemes/${schemeId}/ask?/request`, ask())).toMatchObject({ status: 409 });
			expect((await coachee2.v.action(`/schemes/${schemeId}/ask?/request`, ask({ develop: 'Not sure', success: '', clarity: 'unsure', commitment: 'unsure' }))).type).toBe('success');
			const overview = await (await coord.v.get(`/schemes/${schemeId}`)).text();
			const [req1, req2] = requestIdIn(overview, schemeId);
			expect(req1 && req2).toBeTruthy();
			const weak = await (await coord.v.get(`/schemes/${schemeId}/requests/${req2}`)).text();
			expect(weak).toContain('Is not sure they can commit to the sessions.');

			// Suggestions with reasons: Ada (leadership, same working hours) before Ben (finance, Tokyo).
			const page = await (await coord.v.get(`/schemes/${schemeId}/requests/${req1}`)).text();
			expect(page.indexOf('Ada Coach')).toBeGreaterThan(-1);
			expect(page.indexOf('Ada Coach')).toBeLessThan(page.indexOf('Ben Coach'));
			expect(page).toContain('Expertise in Leadership');
			expect(page).toContain('Speaks English');
			expect((await other.v.get(`/schemes/${schemeId}/requests/${req1}`)).status).toBe(404);

			// Another scheme's coordinator cannot propose; two coordinators at once: one wins, the other is told.
			expect(await other.v.action(`/schemes/${otherScheme}/requests/${req1}?/propose`, { volunteer: a.id })).toMatchObject({ status: 404 });
			expect(await other.v.action(`/schemes/${schemeId}/requests/${req1}?/propose`, { volunteer: a.id })).toMatchObject({ status: 404 });
			const race = await Promise.all([coord.v.action(`/schemes/${schemeId}/requests/${req1}?/propose`, { volunteer: a.id }), coord2.v.action(`/schemes/${schemeId}/requests/${req1}?/propose`, { volunteer: b.id })]);
			expect(race.map((r) => r.type).sort()).toEqual(['failure', 'success']);
			const lost = race.find((r) => r.type === 'failure')!;
			expect(lost.status).toBe(409);
			expect(lost.data.error.message).toContain('Another coordinator');
			const won = race.find((r) => r.type === 'success')!;
			const first = won.data.proposed as string;
			const firstCoach = race[0] === won ? coachA : coachB;

			// The coachee declines with a reason: back to the queue, the reason kept, the place freed.
			expect(await stranger.v.action(`/matches/${first}?/answer`, { answer: 'accept' })).toMatchObject({ status: 404 });
			expect((await coachee.v.action(`/matches/${first}?/answer`, { answer: 'decline', reason: 'We met before at work' })).type).toBe('success');
			expect(await firstCoach.v.action(`/matches/${first}?/answer`, { answer: 'accept' })).toMatchObject({ status: 410 });
			const afterDecline = await (await coord.v.get(`/schemes/${schemeId}/requests/${req1}`)).text();
			expect(afterDecline).toContain('We met before at work');

			// Beyond capacity: Ada has one place; once proposed to Kim, Sam's request cannot have her.
			const toKim = await coord.v.action(`/schemes/${schemeId}/requests/${req2}?/propose`, { volunteer: a.id });
			expect(toKim.type, JSON.stringify(toKim)).toBe('success');
			expect(await (await coord.v.get(`/schemes/${schemeId}/requests/${req1}`)).text()).not.toContain('Propose Ada Coach');
			const full = await coord.v.action(`/schemes/${schemeId}/requests/${req1}?/propose`, { volunteer: a.id });
			expect(full).toMatchObject({ status: 409 });
			expect(full.data.error.message).toContain('no free place');
			expect(await coachA.v.action(`/schemes/${schemeId}/volunteers/${a.id}?/save`, profile({ capacity: '0' }))).toMatchObject({ status: 409 });

			// Withdrawn: an answer afterwards is refused, and Ada's place is free again.
			expect((await coord.v.action(`/schemes/${schemeId}?/withdraw`, { match: toKim.data.proposed })).type).toBe('success');
			expect(await coachA.v.action(`/matches/${toKim.data.proposed}?/answer`, { answer: 'accept' })).toMatchObject({ status: 410 });
			expect(await (await coord.v.get(`/schemes/${schemeId}/requests/${req1}`)).text()).toContain('Propose Ada Coach');

			// Proposal to Ada; both accept (the second accept twice); the engagement exists with both in it.
			const second = await coord.v.action(`/schemes/${schemeId}/requests/${req1}?/propose`, { volunteer: a.id, note: 'Both in Europe' });
			expect(second.type, JSON.stringify(second)).toBe('success');
			const matchId = second.data.proposed as string;
			expect((await coachA.v.action(`/matches/${matchId}?/answer`, { answer: 'accept' })).type).toBe('success');
			expect(await coachA.v.action(`/matches/${matchId}?/answer`, { answer: 'accept' })).toMatchObject({ status: 409 });
			const both = await Promise.all([coachee.v.action(`/matches/${matchId}?/answer`, { answer: 'accept' }), coachee.v.action(`/matches/${matchId}?/answer`, { answer: 'accept' })]);
			expect(both.map((r) => r.type).sort()).toEqual(['failure', 'success']);
			expect(both.find((r) => r.type === 'failure')!.status).toBe(409);
			const matchPage = await (await coachee.v.get(`/matches/${matchId}`)).text();
			const engagementId = /\/engagements\/([a-z2-7]+)/.exec(matchPage)?.[1];
			expect(engagementId).toBeTruthy();
			const engagement = await (await coachA.v.get(`/engagements/${engagementId}`)).text();
			expect(engagement).toContain('Women into leadership: Sam Coachee');
			expect(engagement).toContain('Lead my new team of eight with confidence');
			expect((await coachee.v.get(`/engagements/${engagementId}`)).status).toBe(200);
			const sessionId = /\/sessions\/([a-z2-7]+)/.exec(await (await coachA.v.get('/')).text())?.[1];
			expect(sessionId, 'the introductory meeting is on the dashboard').toBeTruthy();

			// Session content exists: notes, an action, private notes, a summary and its emails.
			const summaryId = await writeAndEndSession(base, coachA.v.cookie, sessionId!, { note: NOTE, action: ACTION, privateNote: PRIVATE });

			// The coordinator's own pages show the placement, and nothing of what was said.
			const view = await (await coord.v.get(`/schemes/${schemeId}`)).text();
			expect(view).toContain('Sam Coachee');
			expect(has(view, SECRETS)).toEqual([]);
			expect(view).not.toContain(`/engagements/${engagementId}`);

			// The coordinator's access matrix, from the route tree, with real ids.
			const outboxJob = await coachee.v.get('/outbox').then((r) => r.text()).then((t) => /href="\/outbox\/([a-z2-7]+)"/.exec(t)?.[1] ?? 'none');
			const values: Record<string, string> = { engagements: engagementId!, sessions: sessionId!, summaries: summaryId, outbox: outboxJob, sponsor: engagementId!, v: '1', schemes: schemeId, requests: req1!, volunteers: a.id, matches: matchId, proposals: 'none', practice: engagementId! };
			const open = new Set(['/', '/signin', '/signup', '/signout', '/outbox', '/engagements/new', '/proposals/new', '/invite/[token]', '/sponsor-invite/[token]', '/scoping/[token]', ...ACCOUNT_ROUTES, ...PRACTICE_ROUTES, ...SCHEME_ROUTES.filter((r) => r !== '/matches/[id]')]);
			const tried: string[] = [];
			for (const route of routeTree()) {
				const url = routeUrl(route.pattern, values);
				if (open.has(route.pattern)) {
					if (!url.includes('[')) expect(has(await (await coord.v.get(url)).text(), SECRETS), url).toEqual([]);
					continue;
				}
				expect(url, `no id for ${route.pattern}`).not.toMatch(/\[|\/x(\/|$)/);
				const res = await coord.v.get(url);
				expect([403, 404], `${url} answered ${res.status}`).toContain(res.status);
				expect(has(await res.text(), SECRETS), url).toEqual([]);
				for (const action of route.actions) {
					const r = await coord.v.action(action === 'default' ? url : `${url}?/${action}`, { text: 'x', answer: 'accept', decision: 'approve', version: '1', typedName: 'Cora Coordinator', helpful: '1', learning: '1', gained: '1' });
					expect([403, 404], `${url}?/${action} answered ${r.status}`).toContain(r.status);
				}
				tried.push(url);
			}
			expect(tried.length).toBeGreaterThanOrEqual(10);
			expect(await padsAndSocketRefuse(base, coord.v.cookie, sessionId!, SECRETS)).toEqual({ closes: [4404, 4404], leaked: [], joined: false, answered: [] });

			// Feedback after the placement: once each, only totals for the coordinator, and it feeds later rankings.
			expect(await coachee.v.action(`/matches/${matchId}?/feedback`, { helpful: '5', learning: '4', gained: '4' })).toMatchObject({ status: 409 });
			expect((await coord.v.action(`/schemes/${schemeId}?/end`, { match: matchId })).type).toBe('success');
			expect((await coachee.v.action(`/matches/${matchId}?/feedback`, { helpful: '5', learning: '4', gained: '4', comment: 'Very helpful' })).type).toBe('success');
			expect(await coachee.v.action(`/matches/${matchId}?/feedback`, { helpful: '1', learning: '1', gained: '1' })).toMatchObject({ status: 409 });
			expect((await coachA.v.action(`/matches/${matchId}?/feedback`, { helpful: '4', learning: '4', gained: '3' })).type).toBe('success');
			const totals = await (await coord.v.get(`/schemes/${schemeId}`)).text();
			expect(totals).toMatch(/Coachees \(<!---->1<!---->\)|Coachees \(1\)/);
			expect(totals).toContain('5/5');
			expect(totals).not.toContain('Very helpful');
			const kim = await (await coord.v.get(`/schemes/${schemeId}/requests/${req2}`)).text();
			expect(kim).toContain('Coachees rated them 5/5 (1 placement)');

			// Email for each step, none carrying session content to the coordinator.
			let mails = await outboxMails(server);
			for (let i = 0; i < 75 && mails.filter((m) => addressedTo(m, coord.email)).length < 4; i++) {
				await new Promise((r) => setTimeout(r, 200));
				mails = await outboxMails(server);
			}
			const subjects = (to: string) => mails.filter((m) => addressedTo(m, to)).map((m) => m.subject ?? '');
			expect(subjects(coachA.email).some((s) => s.startsWith('You are invited to Women into leadership'))).toBe(true);
			expect(subjects(coord.email).some((s) => s.startsWith('New request in'))).toBe(true);
			expect(subjects(coachee.email).some((s) => s.startsWith('We have your request'))).toBe(true);
			expect(subjects(coachee.email).some((s) => s.startsWith('Proposed match'))).toBe(true);
			expect(subjects(coord.email).some((s) => s.startsWith('Match declined'))).toBe(true);
			expect(subjects(coord.email).some((s) => s.startsWith('Placed in'))).toBe(true);
			const placedMail = mails.find((m) => addressedTo(m, coachee.email) && (m.subject ?? '').startsWith('Placed:'));
			expect(placedMail?.text).toContain('introductory meeting is suggested');
			expect(has(mails.filter((m) => addressedTo(m, coord.email)).map(mailText).join('\n'), SECRETS)).toEqual([]);
		});
	});
}
