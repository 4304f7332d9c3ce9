/**
 * The contract's acceptance state machine on both stores (SQLite file and a
 * fresh PostgreSQL schema): draft, sent, accepted by each, in force,
 * superseded; versions and their diff; refusals for the wrong person, twice,
 * a superseded version, and racing tabs (one wins, the other is told).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/index.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createContracts, type Contracts } from '../../server/contracts/index.ts';
import { KEY_CLAUSE_IDS, diffContracts, type ContractBody } from '../../shared/contract/index.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';
import { uniqueEmail } from '../helpers/http.ts';
import type { MailService } from '../../server/mail/index.ts';
import { simpleParser } from 'mailparser';

const PASSWORD = 'a sturdy passphrase 42';

async function world(store: Store, mail: MailService) {
	const auth = createAuth(store.db);
	const engagements = createEngagements(store.db, auth);
	const contracts = createContracts({
		db: store.db,
		dialect: store.dialect,
		parties: { members: engagements.members, engagementPlan: engagements.plan, adoptPlan: engagements.adoptPlan },
		mail,
		origin: 'https://coach.example.org'
	});
	const person = async (name: string) => {
		const r = await auth.createAccount({ name, email: uniqueEmail(name.split(' ')[0]!.toLowerCase()), password: PASSWORD });
		if (!r.ok) throw new Error(r.error.message);
		return r.value.user.id;
	};
	const coach = await person('Casey Coach');
	const coachee = await person('Sam Coachee');
	const stranger = await person('Stella Stranger');
	const e = await engagements.create(coach, { kind: 'coaching', title: 'Leading the team', goals: 'Run the weekly meeting well', plannedSessions: 6, frequency: 'monthly' });
	if (!e.ok) throw new Error(e.error.message);
	const invite = await engagements.createInvite(e.value.id, coach);
	if (!invite.ok) throw new Error(invite.error.message);
	return { contracts, coach, coachee, stranger, engagementId: e.value.id, invite: invite.value.token, engagements, auth };
}

function completed(body: ContractBody): ContractBody {
	const b = structuredClone(body);
	b.goals[0] = { ...b.goals[0]!, measure: 'Team rates the meeting 4/5', whyItMatters: 'New role from March' };
	return b;
}

const accept = (c: Contracts, engagementId: string, version: number, userId: string, typedName: string) =>
	c.accept(engagementId, version, userId, { typedName, ticked: KEY_CLAUSE_IDS });

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

for (const kind of ['sqlite', 'postgres'] as const) {
	describe(`contracts on ${kind}`, () => {
		let store: Store;
		let mail: MailService;
		let dir: string;
		let opened: TestStore;
		beforeAll(async () => {
			opened = await openTestStore(kind, 'contract-mail');
			({ store, mail, dir } = opened);
		});
		afterAll(() => opened?.close());

		const jobs = (subjectKind: string) =>
			store.db.selectFrom('mail_jobs').select(['kind', 'user_id', 'subject_id', 'status', 'outbox_file']).where('kind', '=', subjectKind as never).execute();

		it('goes from draft to sent to accepted by each to in force, and a new version supersedes it', async () => {
			const w = await world(store, mail);
			const { contracts: c, engagementId: id } = w;
			// Only the coach drafts; before the coachee joined, it cannot be sent.
			expect(codeOf(await c.openDraft(id, w.stranger, '2027-01-04'))).toBe('not_found');
			const draft = await c.openDraft(id, w.coach, '2027-01-04');
			if (!draft.ok) throw new Error(draft.error.message);
			expect(draft.value).toMatchObject({ version: 1, status: 'draft' });
			expect(draft.value.body.goals[0]!.statement).toBe('Run the weekly meeting well');
			expect(draft.value.body.plan).toMatchObject({ sessions: 6, frequency: 'monthly' });

			// A draft with blanks is saved with its problems; sending it is refused with the field.
			const saved = await c.saveDraft(id, w.coach, draft.value.body);
			expect(saved.ok && saved.value.problems['goals.0.measure']).toBe('Write how you will measure it (measurable).');
			expect(codeOf(await c.send(id, w.coach))).toBe('conflict');
			const r0 = await w.engagements.acceptInvite(w.invite, w.coachee);
			expect(r0.ok).toBe(true);
			const incomplete = await c.send(id, w.coach);
			expect(!incomplete.ok && incomplete.error.field).toBe('goals.0.measure');

			// A real error is refused and nothing is saved over the draft.
			const bad = completed(draft.value.body);
			bad.plan.sessions = 0;
			const refused = await c.saveDraft(id, w.coach, bad);
			expect(!refused.ok && refused.error.fields?.['plan.sessions']).toBe('Plan at least 1 session.');
			expect(codeOf(await c.saveDraft(id, w.coachee, completed(draft.value.body)))).toBe('forbidden');

			expect((await c.saveDraft(id, w.coach, completed(draft.value.body))).ok).toBe(true);
			const sent = await c.send(id, w.coach);
			expect(sent.ok && sent.value.status).toBe('sent');
			expect(sent.ok && [...sent.value.required].sort()).toEqual([w.coach, w.coachee].sort());
			expect(await c.inForce(id)).toBeNull();

			// Acceptance: the wrong name, the wrong person, then each party once.
			expect(codeOf(await accept(c, id, 1, w.coachee, 'Someone Else'))).toBe('invalid_input');
			expect(codeOf(await accept(c, id, 1, w.stranger, 'Stella Stranger'))).toBe('not_found');
			expect(codeOf(await c.accept(id, 1, w.coachee, { typedName: 'Sam Coachee', ticked: ['goals'] }))).toBe('invalid_input');
			expect(await accept(c, id, 1, w.coachee, 'sam coachee')).toEqual({ ok: true, value: { status: 'sent' } });
			expect(codeOf(await accept(c, id, 1, w.coachee, 'Sam Coachee'))).toBe('conflict');
			expect(await accept(c, id, 1, w.coach, 'Casey Coach')).toEqual({ ok: true, value: { status: 'in_force' } });
			const v1 = await c.inForce(id);
			expect(v1).toMatchObject({ version: 1, status: 'in_force' });
			expect(v1!.acceptances.map((a) => a.typedName).sort()).toEqual(['Casey Coach', 'sam coachee']);

			// An amendment is version 2; v1 stays in force until v2 is accepted by everyone, then it is superseded.
			const d2 = await c.openDraft(id, w.coach, '2027-01-04');
			if (!d2.ok) throw new Error(d2.error.message);
			expect(d2.value.version).toBe(2);
			const amended = structuredClone(d2.value.body);
			amended.plan.sessions = 8;
			expect((await c.saveDraft(id, w.coach, amended)).ok).toBe(true);
			expect((await c.send(id, w.coach)).ok).toBe(true);
			expect((await c.inForce(id))?.version).toBe(1);
			await accept(c, id, 2, w.coachee, 'Sam Coachee');
			await accept(c, id, 2, w.coach, 'Casey Coach');
			expect((await c.inForce(id))?.version).toBe(2);
			const all = await c.versions(id, w.coachee);
			expect(all?.map((v) => [v.version, v.status])).toEqual([[2, 'in_force'], [1, 'superseded']]);
			expect(await c.versions(id, w.stranger)).toBeNull();
			expect(diffContracts(all![1]!.body, all![0]!.body)).toEqual([expect.objectContaining({ key: 'plan.sessions', before: '6', after: '8' })]);
			expect(codeOf(await accept(c, id, 1, w.coachee, 'Sam Coachee'))).toBe('gone');

			// One "please review" per version to the coachee, one "in force" per version to each party, whatever the retries.
			const review = (await jobs('contract_review')).filter((j) => j.user_id === w.coachee || j.user_id === w.coach);
			const forCoachee = review.filter((j) => j.user_id === w.coachee);
			expect(forCoachee).toHaveLength(2);
			expect(review.filter((j) => j.user_id === w.coach)).toHaveLength(0);
			const inForce = (await jobs('contract_in_force')).filter((j) => j.user_id === w.coachee || j.user_id === w.coach);
			expect(inForce).toHaveLength(4);

			// The emails carry the contract as Markdown and PDF.
			await mail.start();
			await expect.poll(async () => (await jobs('contract_in_force')).filter((j) => j.user_id === w.coachee && j.status === 'sent').length, { timeout: 10_000 }).toBe(2);
			const delivered = (await jobs('contract_in_force')).find((j) => j.user_id === w.coachee && j.subject_id === all![0]!.id)!;
			const message = await simpleParser(fs.readFileSync(path.join(dir, 'outbox', delivered.outbox_file!)));
			expect(message.subject).toBe('In force: Leading the team, contract v2');
			expect(message.text).toContain('https://coach.example.org/engagements/');
			const files = Object.fromEntries(message.attachments.map((a) => [a.filename, a.content]));
			expect(files['contract-v2.md']!.toString()).toMatch(/\*\*Number of sessions\*\*\s+8/);
			expect(files['contract-v2.md']!.toString()).toContain('Sam Coachee: accepted as "Sam Coachee"');
			expect(files['contract-v2.pdf']!.subarray(0, 5).toString()).toBe('%PDF-');
		});

		it('a version replaced while waiting can no longer be accepted, and racing tabs count once', async () => {
			const w = await world(store, mail);
			const { contracts: c, engagementId: id } = w;
			await w.engagements.acceptInvite(w.invite, w.coachee);
			const d1 = await c.openDraft(id, w.coach, '2027-01-04');
			if (!d1.ok) throw new Error(d1.error.message);
			await c.saveDraft(id, w.coach, completed(d1.value.body));
			await c.send(id, w.coach);
			// The coach sends v2 before anyone accepted v1.
			const d2 = await c.openDraft(id, w.coach, '2027-01-04');
			if (!d2.ok) throw new Error(d2.error.message);
			await c.send(id, w.coach);
			expect(codeOf(await accept(c, id, 1, w.coachee, 'Sam Coachee'))).toBe('gone');
			// Two tabs of the coachee accept v2 at once: one wins, the other is told.
			const both = await Promise.all([accept(c, id, 2, w.coachee, 'Sam Coachee'), accept(c, id, 2, w.coachee, 'Sam Coachee')]);
			expect(both.map(codeOf).sort()).toEqual(['conflict', 'ok']);
			const v2 = await c.version(id, 2, w.coach);
			expect(v2?.acceptances).toHaveLength(1);
			// Two tabs of the coach opening a draft at once get the same draft.
			await accept(c, id, 2, w.coach, 'Casey Coach');
			const drafts = await Promise.all([c.openDraft(id, w.coach, '2027-01-04'), c.openDraft(id, w.coach, '2027-01-04')]);
			expect(drafts.map((d) => d.ok && d.value.version)).toEqual([3, 3]);
		});
	});
}
