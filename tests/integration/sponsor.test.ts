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
import type { ParsedMail } from 'mailparser';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { SCHEME_ROUTES, routeTree, routeUrl } from '../helpers/routes.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { until } from '../helpers/pad.ts';
import { addressedTo, has, mailText, outboxMails, padsAndSocketRefuse, writeAndEndSession } from '../helpers/session-content.ts';

const NOTE = 'NOTE-7f3a-only-for-coach-and-coachee';
const ACTION = 'ACTION-91c2-only-for-coach-and-coachee';
const PRIVATE = 'PRIVATE-5d8e-only-for-the-coach';
const APPROVED = 'Sam has run two team meetings and wants to keep going.';
const DECLINED = 'DECLINED-2b6f-never-for-the-sponsor';
const SECRETS = [NOTE, ACTION, PRIVATE, DECLINED];

/** Routes a sponsor may open: public ones, their own page and the engagement they may create. */
// Scheme routes hold nothing of any engagement; their own matrix is in schemes.test.ts.
const OPEN_TO_SPONSOR = new Set(['/', '/signin', '/signup', '/signout', '/outbox', '/settings', '/engagements/new', '/proposals/new', '/invite/[token]', '/sponsor-invite/[token]', '/scoping/[token]', '/sponsor/[id]', ...SCHEME_ROUTES]);

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
			const values: Record<string, string> = { engagements: engagementId, sessions: sessionId, summaries: summaryId, outbox: outboxJob, proposals: proposalId, v: '1' };
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
			for (let i = 0; i < 50 && !(mails = await outboxMails(server)).some((m) => addressedTo(m, sponsorEmail)); i++) await new Promise((r) => setTimeout(r, 200));
			const toSponsor = mails.filter((m) => addressedTo(m, sponsorEmail));
			expect(toSponsor).toHaveLength(1);
			expect(toSponsor[0]!.text).toContain(APPROVED);
			const raw = toSponsor.map(mailText).join('\n');
			expect(has(raw, [...SECRETS, 'Sam is making progress.'])).toEqual([]);
			expect(mails.some((m) => (m.text ?? '').includes(NOTE))).toBe(true);
		});
	});
}
