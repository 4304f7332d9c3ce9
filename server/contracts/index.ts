/**
 * The engagement's contract: versions drafted by the coach from the template,
 * sent for review, accepted by each party (typed name and a tick per key
 * clause), in force once all required have accepted, superseded by a later
 * version. Offers `createContracts({ db, dialect, parties, mail, origin })` with:
 * - `versions`, `version`, `inForce`, `inForceAt`: reads (`versions`, `version` for members only, null otherwise);
 * - `openDraft`, `saveDraft`, `send`: the coach's side;
 * - `accept`: a party's acceptance, race-safe (one of two racing tabs wins).
 * Sending and coming into force are announced by email (Markdown and PDF
 * attached), queued in the same transaction.
 * A version never changes once sent: a change is a new version.
 */
import type { Kysely, Transaction } from 'kysely';
import type { MailQueue } from '../mail/index.ts';
import type { Database, Dialect, EngagementKind, EngagementRole } from '../store/index.ts';
import { ENGAGEMENT_FREQUENCIES, acceptanceForm, draftFromTemplate, mayAccept, prefillDraft, statusAfter, type ContractPrefill, type ContractStatus } from '../../shared/contract/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { newId } from '../auth/index.ts';
import { readComplete, readDraft } from './draft.ts';
import { registerContractMail, type ContractMailKind } from './mail.ts';
import { findVersion, insertAcceptance, insertVersion, latestVersionNumber, listVersions, updateVersion, type ContractVersion } from './store.ts';

export type { ContractVersion, ContractAcceptance } from './store.ts';

/** What contracts need to know about an engagement and its people (the engagements feature provides it). */
export interface ContractParties {
	members(engagementId: string): Promise<{ userId: string; name: string; email: string; role: EngagementRole }[]>;
	engagementPlan(engagementId: string): Promise<{ title: string; kind: EngagementKind; plannedSessions: number | null; frequency: string | null; goals: string } | null>;
	/** Called once a version is in force, so the engagement shows its plan. */
	adoptPlan(engagementId: string, plan: { sessions: number; frequency: string }): Promise<void>;
	/** What scoping learnt before the work was taken on, for the first draft (the proposals feature provides it). */
	scoping?(engagementId: string): Promise<ContractPrefill | null>;
}

export interface Contracts {
	versions(engagementId: string, userId: string): Promise<ContractVersion[] | null>;
	version(engagementId: string, version: number, userId: string): Promise<ContractVersion | null>;
	inForce(engagementId: string): Promise<ContractVersion | null>;
	/** The version that was in force at a moment (a session's start), for the server's own records; null when none was. */
	inForceAt(engagementId: string, at: number): Promise<ContractVersion | null>;
	openDraft(engagementId: string, userId: string, today: string): Promise<Result<ContractVersion>>;
	saveDraft(engagementId: string, userId: string, input: unknown): Promise<Result<{ version: ContractVersion; problems: Record<string, string> }>>;
	send(engagementId: string, userId: string): Promise<Result<ContractVersion>>;
	accept(engagementId: string, version: number, userId: string, input: unknown): Promise<Result<{ status: ContractStatus }>>;
}

const NOT_FOUND = 'There is no such contract, or it is not part of your engagements.';
const COACH_ONLY = 'Only the coach drafts and sends the contract.';

function isUniqueViolation(err: unknown): boolean {
	const e = err as { code?: string; message?: string };
	return e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

export interface ContractDeps {
	db: Kysely<Database>;
	dialect: Dialect;
	parties: ContractParties;
	mail: Pick<MailQueue, 'register' | 'enqueue' | 'kick'>;
	origin: string | undefined;
}

export function createContracts({ db, dialect, parties, mail, origin }: ContractDeps): Contracts {
	const lockRows = dialect.kind === 'postgres';
	registerContractMail(mail, {
		db,
		origin,
		async engagement(engagementId) {
			const [plan, people] = await Promise.all([parties.engagementPlan(engagementId), parties.members(engagementId)]);
			return plan && { title: plan.title, kind: plan.kind, people };
		}
	});

	/** Queues one email per person, inside the transaction that makes the change. */
	async function announce(trx: Transaction<Database>, kind: ContractMailKind, v: { id: string }, to: { userId: string; name: string; email: string }[]) {
		await mail.enqueue(trx, to.map((p) => ({ kind, subjectId: v.id, userId: p.userId, toName: p.name, toAddress: p.email })));
	}

	async function roleIn(engagementId: string, userId: string) {
		const people = await parties.members(engagementId);
		return { people, me: people.find((p) => p.userId === userId) ?? null };
	}

	async function coachOnly(engagementId: string, userId: string): Promise<Result<null>> {
		const { me } = await roleIn(engagementId, userId);
		if (!me) return fail('not_found', NOT_FOUND);
		return me.role === 'coach' ? ok(null) : fail('forbidden', COACH_ONLY);
	}

	async function newDraft(engagementId: string, userId: string, today: string): Promise<Result<ContractVersion>> {
		const plan = await parties.engagementPlan(engagementId);
		if (!plan) return fail('not_found', NOT_FOUND);
		// A new version starts from the one people last saw: waiting for acceptance, else in force.
		const latest = (await findVersion(db, engagementId, { status: 'sent' })) ?? (await findVersion(db, engagementId, { status: 'in_force' }));
		const frequency = ENGAGEMENT_FREQUENCIES.find((f) => f === plan.frequency) ?? null;
		const body = latest?.body ?? prefillDraft(draftFromTemplate(plan.kind, { today, sessions: plan.plannedSessions, frequency, goals: plan.goals }), (await parties.scoping?.(engagementId)) ?? null);
		const now = Date.now();
		try {
			await insertVersion(db, {
				id: newId(),
				engagement_id: engagementId,
				version: (await latestVersionNumber(db, engagementId)) + 1,
				status: 'draft',
				body: JSON.stringify(body),
				required: '[]',
				created_by: userId,
				created_at: now,
				updated_at: now,
				sent_at: null,
				in_force_at: null,
				superseded_at: null
			});
		} catch (err) {
			// Two tabs opening a draft at once: the other one made it; use that.
			if (!isUniqueViolation(err)) throw err;
		}
		const draft = await findVersion(db, engagementId, { status: 'draft' });
		return draft ? ok(draft) : fail('conflict', 'The contract changed while opening the draft; try again.');
	}

	return {
		async versions(engagementId, userId) {
			return (await roleIn(engagementId, userId)).me ? listVersions(db, engagementId) : null;
		},

		async version(engagementId, version, userId) {
			return (await roleIn(engagementId, userId)).me ? findVersion(db, engagementId, { version }) : null;
		},

		inForce: (engagementId) => findVersion(db, engagementId, { status: 'in_force' }),

		async inForceAt(engagementId, at) {
			const all = await listVersions(db, engagementId);
			return all.find((v) => v.inForceAt !== null && v.inForceAt <= at && (v.supersededAt === null || v.supersededAt > at)) ?? null;
		},

		async openDraft(engagementId, userId, today) {
			const allowed = await coachOnly(engagementId, userId);
			if (!allowed.ok) return allowed;
			const draft = await findVersion(db, engagementId, { status: 'draft' });
			return draft ? ok(draft) : newDraft(engagementId, userId, today);
		},

		async saveDraft(engagementId, userId, input) {
			const allowed = await coachOnly(engagementId, userId);
			if (!allowed.ok) return allowed;
			const reading = readDraft(input);
			if (!reading.ok) return reading;
			const draft = await findVersion(db, engagementId, { status: 'draft' });
			if (!draft) return fail('conflict', 'This draft was sent or replaced meanwhile; open the contract again.');
			const saved = await updateVersion(db, draft.id, 'draft', { body: JSON.stringify(reading.body), updated_at: Date.now() });
			if (!saved) return fail('conflict', 'This draft was sent meanwhile; your changes would need a new version.');
			return ok({ version: { ...draft, body: reading.body }, problems: reading.problems });
		},

		async send(engagementId, userId) {
			const allowed = await coachOnly(engagementId, userId);
			if (!allowed.ok) return allowed;
			const { people } = await roleIn(engagementId, userId);
			const required = people.filter((p) => p.role === 'coach' || p.role === 'coachee').map((p) => p.userId);
			if (!people.some((p) => p.role === 'coachee')) return fail('conflict', 'Invite your coachee before sending the contract: they need to accept it.');
			return db.transaction().execute(async (trx) => {
				const draft = await findVersion(trx, engagementId, { status: 'draft' }, lockRows);
				if (!draft) return fail('conflict', 'There is no draft to send; open the contract to start one.');
				const complete = readComplete(draft.body);
				if (!complete.ok) return complete;
				const now = Date.now();
				// A version still waiting for acceptance is replaced by this one: nobody can accept it any more.
				const waiting = await findVersion(trx, engagementId, { status: 'sent' }, lockRows);
				if (waiting) await updateVersion(trx, waiting.id, 'sent', { status: 'superseded', superseded_at: now });
				await updateVersion(trx, draft.id, 'draft', { status: 'sent', body: JSON.stringify(complete.body), required: JSON.stringify(required), sent_at: now, updated_at: now });
				await announce(trx, 'contract_review', draft, people.filter((p) => required.includes(p.userId) && p.userId !== userId));
				return ok({ ...draft, status: 'sent' as const, body: complete.body, required, sentAt: now });
			}).then((r) => {
				if (r.ok) mail.kick();
				return r;
			});
		},

		async accept(engagementId, version, userId, input) {
			// Who asks comes first: someone outside the engagement learns nothing, not even what the form needs.
			const { me, people } = await roleIn(engagementId, userId);
			if (!me) return fail('not_found', NOT_FOUND);
			const form = acceptanceForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			let result: Result<{ status: ContractStatus; body: ContractVersion['body'] }>;
			try {
				result = await db.transaction().execute(async (trx) => {
					const v = await findVersion(trx, engagementId, { version }, lockRows);
					if (!v) return fail('not_found', NOT_FOUND);
					const state = { status: v.status, required: v.required, accepted: v.acceptances.map((a) => a.userId) };
					const allowed = mayAccept(state, userId, form.data.typedName, me.name);
					if (!allowed.ok) return allowed;
					const now = Date.now();
					await insertAcceptance(trx, { contract_id: v.id, user_id: userId, typed_name: form.data.typedName, ticked: JSON.stringify(form.data.ticked), accepted_at: now });
					const status = statusAfter(state, userId);
					if (status === 'in_force') {
						const previous = await findVersion(trx, engagementId, { status: 'in_force' }, lockRows);
						if (previous) await updateVersion(trx, previous.id, 'in_force', { status: 'superseded', superseded_at: now });
						await updateVersion(trx, v.id, 'sent', { status: 'in_force', in_force_at: now });
						await announce(trx, 'contract_in_force', v, people.filter((p) => v.required.includes(p.userId)));
					}
					return ok({ status, body: v.body });
				});
			} catch (err) {
				// The same person accepting from two tabs at once: the first one counted.
				if (isUniqueViolation(err)) return fail('conflict', 'You have already accepted this version.');
				throw err;
			}
			if (!result.ok) return result;
			if (result.value.status === 'in_force') mail.kick();
			if (result.value.status === 'in_force') await parties.adoptPlan(engagementId, { sessions: result.value.body.plan.sessions, frequency: result.value.body.plan.frequency });
			return ok({ status: result.value.status });
		}
	};
}
