/**
 * Issue 12, scoping: a coach's proposal, the scoping link answered without an
 * account, and the decision, on SQLite and PostgreSQL. In process with an
 * injected clock: answers once, an expired or guessed link refused with a
 * plain message, taking it on creates the engagement and emails an invite
 * that works, the answers prefill the contract's first draft, declining
 * emails once. Over HTTP against the real server: the link needs no account,
 * a stranger gets 404 for the proposal and each of its actions, and the
 * Mailbox lists every kind of email, only to the person it is addressed to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Store } from '../../server/store/index.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createContracts } from '../../server/contracts/index.ts';
import { createProposals, type Proposals } from '../../server/proposals/index.ts';
import type { MailService } from '../../server/mail/index.ts';
import { limits } from '../../server/config/index.ts';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, agreeContract, uniqueEmail } from '../helpers/http.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';

const PASSWORD = 'a sturdy passphrase 42';
const WANT = 'Run the weekly team meeting so that people speak up.';
const MEASURE = 'Half the team speaks in each meeting by June.';
const WHY_NOW = 'I took over the team in March.';

const answersForm = (extra: Record<string, string> = {}) => ({
	respondentName: 'Sam Prospect',
	respondentRole: 'coachee',
	'q.now': 'Meetings are quiet; two people do all the talking.',
	'q.want': WANT,
	'q.automatic': 'A habit of asking each person before deciding.',
	'q.whyNow': WHY_NOW,
	'q.measure': MEASURE,
	sponsorName: 'Pat Sponsor',
	sponsorOrganisation: 'Acme Ltd',
	sponsorEmail: 'pat.sponsor@example.org',
	sponsorPays: 'yes',
	'own.0': 'Tuesdays after 2 pm.',
	...extra
});

/** Waits for an async condition (emails are written by the queue, a moment after the change). */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

async function mailsIn(dir: string): Promise<ParsedMail[]> {
	const out = path.join(dir, 'outbox');
	if (!fs.existsSync(out)) return [];
	return Promise.all(fs.readdirSync(out).filter((f) => f.endsWith('.eml')).map((f) => simpleParser(fs.readFileSync(path.join(out, f)))));
}
const addressedTo = (m: ParsedMail, address: string) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((x) => x.address === address));

for (const kind of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`scoping in process on ${kind}`, () => {
		let t: TestStore;
		let store: Store;
		let mail: MailService;
		let dir: string;
		let clock = Date.now();
		let proposals: Proposals;
		let w: Awaited<ReturnType<typeof world>>;

		async function world() {
			const auth = createAuth(store.db);
			const engagements = createEngagements(store.db, auth);
			const contracts = createContracts({
				db: store.db,
				dialect: store.dialect,
				parties: { members: engagements.members, engagementPlan: engagements.plan, adoptPlan: engagements.adoptPlan, scoping: (id) => proposals.prefillFor(id) },
				mail,
				origin: undefined
			});
			proposals = createProposals({
				db: store.db,
				dialect: store.dialect,
				mail,
				origin: undefined,
				now: () => clock,
				sources: {
					createEngagement: (c, input, within) => engagements.create(c, input, within),
					createInvite: (e, c) => engagements.createInvite(e, c),
					roleOf: async (e, u) => (await engagements.membership(u, { engagementId: e }))?.role ?? null,
					people: (ids) => auth.usersByIds(ids)
				}
			});
			const person = async (name: string) => {
				const r = await auth.createAccount({ name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), password: PASSWORD });
				if (!r.ok) throw new Error(r.error.message);
				return r.value.user.id;
			};
			return { auth, engagements, contracts, coach: await person('Casey Coach'), stranger: await person('Stella Stranger'), person };
		}

		beforeAll(async () => {
			t = await openTestStore(kind, 'scoping');
			({ store, mail, dir } = t);
			w = await world();
		});
		afterAll(async () => {
			await t?.close();
		});

		const propose = async (fields: Record<string, string> = {}) => {
			const r = await proposals.create(
				w.coach,
				{ kind: 'coaching', title: 'Leading the new team', request: 'Sam asked for help leading a new team.', prospectName: 'Sam Prospect', prospectEmail: uniqueEmail('sam'), sponsorName: 'Pat Sponsor', sponsorEmail: uniqueEmail('pat'), coachQuestions: 'When can we meet?', ...fields },
				'https://coach.example.org'
			);
			if (!r.ok) throw new Error(r.error.message);
			return r.value;
		};
		const linkFor = async (id: string) => {
			const l = await proposals.createLink(id, w.coach);
			if (!l.ok) throw new Error(l.error.message);
			return l.value.token;
		};

		it('takes the answers once through the link, refuses an expired or guessed link, and keeps the proposal from strangers', async () => {
			const bad = await proposals.create(w.coach, { kind: 'coaching', title: 'No address', request: 'Something' }, 'https://x.example');
			expect(!bad.ok && bad.error.field).toBe('prospectEmail');

			const p = await propose();
			expect(await proposals.get(p.id, w.stranger)).toBeNull();
			expect(codeOf(await proposals.createLink(p.id, w.stranger))).toBe('not_found');
			expect(codeOf(await proposals.take(p.id, w.stranger, { title: 'Mine now' }))).toBe('not_found');
			expect(codeOf(await proposals.decline(p.id, w.stranger, { message: 'No thank you, truly, not at all.' }))).toBe('not_found');

			const token = await linkFor(p.id);
			const shown = await proposals.describeLink(token);
			expect(shown.ok && shown.value).toMatchObject({ state: 'open', title: 'Leading the new team', coachName: 'Casey Coach', coachQuestions: ['When can we meet?'] });
			expect(shown.ok && shown.value.questions.map((q) => q.id)).toEqual(['forWhom', 'now', 'want', 'automatic', 'whyNow', 'measure', 'expect', 'availability', 'pays']);
			// The link reveals nothing else: no addresses, no coach's id.
			expect(JSON.stringify(shown)).not.toContain(p.prospect.email);
			expect(JSON.stringify(shown)).not.toContain(w.coach);

			const missing = await proposals.answer(token, answersForm({ 'q.want': ' ' }));
			expect(!missing.ok && missing.error).toMatchObject({ code: 'invalid_input', field: 'q.want' });
			const badSponsor = await proposals.answer(token, answersForm({ sponsorEmail: 'not an address' }));
			expect(!badSponsor.ok && badSponsor.error.field).toBe('sponsorEmail');
			expect(codeOf(await proposals.answer(token, answersForm()))).toBe('ok');
			const again = await proposals.answer(token, answersForm());
			expect(!again.ok && again.error).toMatchObject({ code: 'gone', message: expect.stringContaining('already been answered') });
			expect((await proposals.describeLink(token)).ok && ((await proposals.describeLink(token)) as { value: { state: string } }).value.state).toBe('answered');
			expect(codeOf(await proposals.createLink(p.id, w.coach))).toBe('conflict');
			const seen = await proposals.get(p.id, w.coach);
			expect(seen).toMatchObject({ status: 'answered', answers: { respondentName: 'Sam Prospect', answers: { want: WANT }, own: [{ question: 'When can we meet?', answer: 'Tuesdays after 2 pm.' }] } });

			// Expired: the injected clock moves past the link's lifetime; nothing is revealed or taken.
			const later = await propose();
			const old = await linkFor(later.id);
			clock += limits.scoping.linkLifetimeMs + 1;
			const expired = await proposals.describeLink(old);
			expect(!expired.ok && expired.error).toEqual({ code: 'gone', message: 'This scoping link has expired. Ask the coach for a new one.' });
			expect(codeOf(await proposals.answer(old, answersForm()))).toBe('gone');
			expect((await proposals.get(later.id, w.coach))?.status).toBe('open');
			// A fresh link works; a guessed one says only that it is not valid.
			expect(codeOf(await proposals.answer(await linkFor(later.id), answersForm()))).toBe('ok');
			const guessed = await proposals.describeLink('abcdefghijklmnopqrstuvwxyz234567');
			expect(!guessed.ok && guessed.error.code).toBe('not_found');
			expect(codeOf(await proposals.describeLink('../../etc'))).toBe('not_found');
		});

		it('takes the work on: the engagement is created, the invite emailed works, the answers prefill the contract', async () => {
			const p = await propose();
			const token = await linkFor(p.id);
			expect(codeOf(await proposals.answer(token, answersForm()))).toBe('ok');
			expect(codeOf(await proposals.take(p.id, w.coach, { title: 'x' }))).toBe('invalid_input');
			const taken = await proposals.take(p.id, w.coach, { title: 'Leading the new team', goals: WANT, plannedSessions: '6', frequency: 'fortnightly', note: 'Good fit.' });
			if (!taken.ok) throw new Error(taken.error.message);
			const { engagementId } = taken.value;
			expect(await w.engagements.members(engagementId)).toMatchObject([{ userId: w.coach, role: 'coach' }]);
			expect(await w.engagements.plan(engagementId)).toMatchObject({ title: 'Leading the new team', kind: 'coaching', plannedSessions: 6, frequency: 'fortnightly', goals: WANT });
			// Decided once: a second take or a decline afterwards is refused, and no second engagement appears.
			expect(codeOf(await proposals.take(p.id, w.coach, { title: 'Leading the new team' }))).toBe('conflict');
			expect(codeOf(await proposals.decline(p.id, w.coach, { message: 'Sorry, I cannot take this on after all.' }))).toBe('conflict');
			expect((await w.engagements.listForUser(w.coach)).filter((e) => e.title === 'Leading the new team')).toHaveLength(1);
			const after = await proposals.describeLink(token);
			expect(after.ok && after.value.state).toBe('taken');
			expect(await proposals.lifeOf(engagementId, w.stranger)).toBeNull();
			expect(await proposals.lifeOf(engagementId, w.coach)).toMatchObject({ answeredAt: expect.any(Number), decidedAt: expect.any(Number) });

			// The contract's first draft starts from the answers.
			const draft = await w.contracts.openDraft(engagementId, w.coach, '2027-01-04');
			if (!draft.ok) throw new Error(draft.error.message);
			expect(draft.value.body.goals[0]).toMatchObject({ statement: WANT, measure: MEASURE, whyItMatters: WHY_NOW });
			expect(draft.value.body.stakeholders.sponsor).toEqual({ name: 'Pat Sponsor', organisation: 'Acme Ltd', email: 'pat.sponsor@example.org', pays: true });

			// The invite is composed when sent, with a fresh single-use invite token; it lets the prospect join as coachee.
			await mail.start();
			let mails: ParsedMail[] = [];
			await until(async () => (mails = await mailsIn(dir)).some((m) => addressedTo(m, p.prospect.email)), 10_000, 'invite emailed');
			const invite = mails.find((m) => addressedTo(m, p.prospect.email))!;
			expect(invite.subject).toBe('Casey Coach takes on your coaching: Leading the new team');
			const inviteToken = /https:\/\/coach\.example\.org\/invite\/([a-z2-7]+)/.exec(invite.text ?? '')?.[1];
			expect(inviteToken).toBeTruthy();
			const sam = await w.person('Sam Prospect');
			expect(await w.engagements.acceptInvite(inviteToken!, sam)).toEqual({ ok: true, value: { engagementId } });
			expect((await w.engagements.members(engagementId)).map((m) => m.role).sort()).toEqual(['coach', 'coachee']);
			expect(mails.some((m) => addressedTo(m, p.sponsor.email))).toBe(false);
		});

		it('declines with the courteous email, once, to the prospect and the sponsor; the link says so', async () => {
			const p = await propose();
			const token = await linkFor(p.id);
			const short = await proposals.decline(p.id, w.coach, { message: 'No.' });
			expect(!short.ok && short.error.field).toBe('message');
			const letter = 'Dear Sam,\n\nThank you for asking. I am not the right coach for this; another coach would serve you better.\n\nKind regards,\nCasey';
			const declined = await proposals.decline(p.id, w.coach, { message: letter, note: 'Outside my experience.' });
			expect(declined).toEqual({ ok: true, value: { emailed: [p.prospect.email, p.sponsor.email] } });
			expect(codeOf(await proposals.decline(p.id, w.coach, { message: letter }))).toBe('conflict');
			expect(codeOf(await proposals.take(p.id, w.coach, { title: 'Leading the new team' }))).toBe('conflict');
			const jobs = await store.db.selectFrom('mail_jobs').select(['kind', 'to_address']).where('subject_id', '=', p.id).execute();
			expect(jobs.filter((j) => j.kind === 'proposal_decline').map((j) => j.to_address).sort()).toEqual([p.prospect.email, p.sponsor.email].sort());
			const link = await proposals.describeLink(token);
			expect(link.ok && link.value.state).toBe('declined');
			const answered = await proposals.answer(token, answersForm());
			expect(!answered.ok && answered.error.message).toContain('decided not to take this work on');
			expect(await proposals.get(p.id, w.coach)).toMatchObject({ status: 'declined', declineMessage: letter, decisionNote: 'Outside my experience.' });

			await mail.start();
			let mails: ParsedMail[] = [];
			await until(async () => (mails = await mailsIn(dir)).filter((m) => addressedTo(m, p.prospect.email) || addressedTo(m, p.sponsor.email)).length >= 2, 10_000, 'decline emailed');
			const toSam = mails.filter((m) => addressedTo(m, p.prospect.email));
			expect(toSam).toHaveLength(1);
			expect(toSam[0]!.subject).toBe('Your request for coaching: Leading the new team');
			expect(toSam[0]!.text?.trim()).toBe(letter);
			expect(toSam[0]!.text).not.toContain('Outside my experience');
		});
	});
}

/** The scoping link as its URL path, from the coach's action. */
async function scopingPath(coach: Visitor, proposalId: string): Promise<string> {
	const r = await coach.action(`/proposals/${proposalId}?/link`);
	if (r.type !== 'success') throw new Error(`link failed: ${JSON.stringify(r)}`);
	return new URL(r.data.link.url).pathname;
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`scoping over HTTP on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('answers without an account, keeps the proposal from strangers, takes it on, and each Mailbox lists its own emails', async () => {
			const coach = new Visitor(server.url);
			await coach.signUp('Casey Coach', uniqueEmail('coach'));
			const samEmail = uniqueEmail('sam');
			const made = await coach.action('/proposals/new', { kind: 'coaching', title: 'Leading the new team', request: 'Sam asked for help leading a new team.', prospectName: 'Sam Prospect', prospectEmail: samEmail, coachQuestions: 'When can we meet?' });
			expect(made.type).toBe('redirect');
			const proposalId = made.location!.split('/').pop()!;
			expect(await (await coach.get('/')).text()).toContain(`/proposals/${proposalId}`);

			// A stranger learns nothing: 404 for the page and for every action.
			const stranger = new Visitor(server.url);
			await stranger.signUp('Stella Stranger', uniqueEmail('stella'));
			expect((await stranger.get(`/proposals/${proposalId}`)).status).toBe(404);
			for (const action of ['link', 'emailLink', 'take', 'decline']) {
				expect(await stranger.action(`/proposals/${proposalId}?/${action}`, { to: 'prospect', title: 'Mine now', message: 'Not yours to decline, but let us try.' })).toMatchObject({ type: 'failure', status: 404 });
			}
			expect((await new Visitor(server.url).get(`/proposals/${proposalId}`)).status).toBe(303);

			// The prospect has no account: the link shows the questions and takes the answers once.
			const link = await scopingPath(coach, proposalId);
			const prospect = new Visitor(server.url);
			const page = await prospect.get(link);
			expect(page.status).toBe(200);
			const html = await page.text();
			expect(html).toContain('What would you like to have happen?');
			expect(html).toContain('When can we meet?');
			expect(html).not.toContain(samEmail);
			expect(await prospect.action(link, { ...answersForm(), 'q.now': '' })).toMatchObject({ type: 'failure', status: 400 });
			expect(await prospect.action(link, answersForm())).toMatchObject({ type: 'success' });
			const used = await prospect.action(link, answersForm());
			expect(used).toMatchObject({ type: 'failure', status: 410 });
			expect(used.data.error.message).toContain('already been answered');
			expect(await (await prospect.get(link)).text()).toContain('Your answers were sent');
			const guessed = await prospect.get('/scoping/abcdefghijklmnopqrstuvwxyz234567');
			expect(guessed.status).toBe(404);
			expect(await guessed.text()).toContain('This scoping link is not valid');

			// The coach reads the answers and takes the work on.
			const view = await (await coach.get(`/proposals/${proposalId}`)).text();
			expect(view).toContain(WANT);
			expect(view).toContain('Tuesdays after 2 pm.');
			const taken = await coach.action(`/proposals/${proposalId}?/take`, { title: 'Leading the new team', goals: WANT, plannedSessions: '6', frequency: 'monthly' });
			expect(taken.type).toBe('redirect');
			const engagementId = taken.location!.split('/').pop()!;
			expect(await (await prospect.get(link)).text()).toContain('has taken this on');
			const engagementPage = await (await coach.get(`/engagements/${engagementId}`)).text();
			expect(engagementPage).toMatch(/data-step="decision" data-state="done"/);
			expect(engagementPage).toMatch(/data-step="drafted" data-state="current"/);

			// The emailed invite lets Sam join; the contract is then agreed, and its emails reach each Mailbox.
			let mails: ParsedMail[] = [];
			await until(async () => (mails = await mailsIn(server.dataDir)).some((m) => addressedTo(m, samEmail)), 10_000, 'invite emailed');
			const invitePath = new URL(/http:\/\/localhost:\d+\/invite\/[a-z2-7]+/.exec(mails.find((m) => addressedTo(m, samEmail))!.text ?? '')![0]).pathname;
			const sam = new Visitor(server.url);
			await sam.signUp('Sam Prospect', samEmail);
			expect(await sam.acceptInvite(invitePath)).toMatchObject({ type: 'redirect', location: `/engagements/${engagementId}` });
			await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: sam, name: 'Sam Prospect' }], engagementId);
			await until(async () => (await (await sam.get('/outbox')).text()).includes('In force: Leading the new team'), 10_000, 'contract emails in the Mailbox');
			const samBox = await (await sam.get('/outbox')).text();
			expect(samBox).toContain('Please review and accept: Leading the new team, contract v1');
			// Each person's copy is its own message: the coach's may go out a moment after Sam's.
			await until(async () => (await (await coach.get('/outbox')).text()).includes('In force: Leading the new team'), 10_000, "the coach's contract email in the Mailbox");
			const coachBox = await (await coach.get('/outbox')).text();
			expect(coachBox).toContain('In force: Leading the new team');
			expect(coachBox).not.toContain('Please review and accept'); // addressed to Sam, not to the coach
			expect(coachBox).not.toContain('takes on your coaching'); // the invite was Sam's
			const samJob = /href="\/outbox\/([a-z2-7]+)"/.exec(samBox)?.[1];
			expect(samJob).toBeTruthy();
			expect((await sam.get(`/outbox/${samJob}`)).status).toBe(200);
			expect((await coach.get(`/outbox/${samJob}`)).status).toBe(404);
			expect((await stranger.get(`/outbox/${samJob}`)).status).toBe(404);
		});
	});
}
