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
import { simpleParser, type ParsedMail } from 'mailparser';
import { ROOT, startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { padClient, rawPadSocket, until } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { insertAction, newAction, notesOf, padName } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

const NOTE = 'NOTE-7f3a-only-for-coach-and-coachee';
const ACTION = 'ACTION-91c2-only-for-coach-and-coachee';
const PRIVATE = 'PRIVATE-5d8e-only-for-the-coach';
const APPROVED = 'Sam has run two team meetings and wants to keep going.';
const DECLINED = 'DECLINED-2b6f-never-for-the-sponsor';
const SECRETS = [NOTE, ACTION, PRIVATE, DECLINED];

/** Every route in the app, from the route tree: its URL pattern and its form actions. */
function routeTree(): { pattern: string; actions: string[]; endpoint: boolean }[] {
	const base = path.join(ROOT, 'web', 'src', 'routes');
	const out: { pattern: string; actions: string[]; endpoint: boolean }[] = [];
	const walk = (dir: string) => {
		const files = fs.readdirSync(dir);
		const rel = path.relative(base, dir).split(path.sep).filter(Boolean).join('/');
		if (files.some((f) => /^\+(page\.svelte|page\.server\.ts|server\.ts)$/.test(f))) {
			const server = files.includes('+page.server.ts') ? fs.readFileSync(path.join(dir, '+page.server.ts'), 'utf8') : '';
			const block = /export const actions[^=]*=\s*\{([\s\S]*)\};?\s*$/.exec(server)?.[1] ?? '';
			const actions = [...block.matchAll(/^\t(\w+): async/gm)].map((m) => m[1]!);
			out.push({ pattern: '/' + rel, actions, endpoint: files.includes('+server.ts') });
		}
		for (const f of files) if (fs.statSync(path.join(dir, f)).isDirectory()) walk(path.join(dir, f));
	};
	walk(base);
	return out;
}

/** Routes a sponsor may open: public ones, their own page and account pages, and the engagement they may create. */
const ACCOUNT_PAGES = ['/signup/confirm/[token]', '/confirm', '/confirm/[token]', '/reset', '/reset/[token]', '/settings/devices', '/settings/activity'];
const OPEN_TO_SPONSOR = new Set(['/', '/signin', '/signup', '/signout', '/outbox', '/engagements/new', '/invite/[token]', '/sponsor-invite/[token]', '/sponsor/[id]', ...ACCOUNT_PAGES]);

const has = (text: string, needles: string[]) => needles.filter((n) => text.includes(n));

async function outboxMails(server: TestServer): Promise<ParsedMail[]> {
	const dir = path.join(server.dataDir, 'outbox');
	if (!fs.existsSync(dir)) return [];
	return Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
}
const addressedTo = (m: ParsedMail, address: string) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((x) => x.address === address));

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
			const shared = padClient(server.url, coach.cookie, sessionId, 'shared');
			const priv = padClient(server.url, coach.cookie, sessionId, 'private');
			await Promise.all([shared.synced(), priv.synced()]);
			const p = new Y.XmlElement('paragraph');
			p.insert(0, [new Y.XmlText(NOTE)]);
			notesOf(shared.doc).push([p]);
			insertAction(shared.doc, newAction('coach', { text: ACTION }));
			const q = new Y.XmlElement('paragraph');
			q.insert(0, [new Y.XmlText(PRIVATE)]);
			notesOf(priv.doc).push([q]);
			const coachSocket = connect(server.url, coach.cookie);
			await connected(coachSocket);
			expect(await request(coachSocket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
			await until(() => shared.provider.wsconnected && priv.provider.wsconnected, 5000, 'pads connected');
			await new Promise((r) => setTimeout(r, 500));
			const ended = await request<{ summaryId: string }>(coachSocket, 'session:end', { sessionId });
			expect(ended.ok).toBe(true);
			const summaryId = ended.ok ? ended.value.summaryId : '';
			shared.destroy();
			priv.destroy();
			coachSocket.close();

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
			const values: Record<string, string> = { engagements: engagementId, sessions: sessionId, summaries: summaryId, outbox: outboxJob, v: '1' };
			const tried: string[] = [];
			for (const route of routeTree()) {
				if (OPEN_TO_SPONSOR.has(route.pattern)) continue;
				const url = route.pattern.replace(/\/([^/]+)\/\[(\w+)\](\.md)?/g, (_, parent: string, _name: string, ext: string | undefined) => `/${parent}/${values[parent] ?? 'x'}${ext ?? ''}`);
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
			for (const kind of ['shared', 'private'] as const) {
				const raw = await rawPadSocket(server.url, sponsor.cookie, padName(sessionId, kind));
				expect((await raw.closed).code).toBe(4404);
				expect(has(Buffer.concat(raw.frames).toString('latin1'), SECRETS)).toEqual([]);
			}
			const s = connect(server.url, sponsor.cookie);
			await connected(s);
			const join = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
			expect(join.ok).toBe(false);
			s.close();

			// Email: the sponsor receives the approved update and nothing else; the coachee's summary carries the notes.
			await until(() => fs.existsSync(path.join(server.dataDir, 'outbox')) && fs.readdirSync(path.join(server.dataDir, 'outbox')).length >= 3, 15_000, 'emails written');
			let mails: ParsedMail[] = [];
			for (let i = 0; i < 50 && !(mails = await outboxMails(server)).some((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account'); i++) await new Promise((r) => setTimeout(r, 200));
			// Coaching mail only: the sponsor's sign-up link is an account email.
			const toSponsor = mails.filter((m) => addressedTo(m, sponsorEmail) && m.headers.get('x-confidante-mail') !== 'account');
			expect(toSponsor).toHaveLength(1);
			expect(toSponsor[0]!.text).toContain(APPROVED);
			const raw = toSponsor.map((m) => `${m.subject}\n${m.text}\n${m.html || ''}\n${m.attachments.map((a) => a.content.toString('latin1')).join('\n')}`).join('\n');
			expect(has(raw, [...SECRETS, 'Sam is making progress.'])).toEqual([]);
			expect(mails.some((m) => (m.text ?? '').includes(NOTE))).toBe(true);
		});
	});
}
