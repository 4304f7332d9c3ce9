/**
 * Scoping, before the work is taken on ("Do I want this work?"). A coach
 * makes a **proposal** (who it is for, who sponsors it, what is asked for,
 * their own questions), sends a **scoping link** that works without an
 * account, reads the answers and records a **decision**: take it on (the
 * engagement is created from the proposal in the same transaction, and the
 * prospect is emailed an invite to join as coachee) or decline (a courteous
 * email, queued in the same transaction, so it goes once). This folder owns
 * `proposals` and `scoping_links`. Offers `createProposals(deps)` with:
 * - the coach's side: `create`, `get`, `listForCoach`, `createLink`,
 *   `emailLink`, `take`, `decline` (anyone else gets not_found);
 * - the link's side, no account: `describeLink`, `answer`;
 * - for other features: `lifeOf` (the engagement page's steps), `prefillFor`
 *   (the contract's first draft).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, Dialect, EngagementRole, EngagementRow, MailJobRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { limits } from '../config/index.ts';
import { newId } from '../auth/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import type { ContractPrefill } from '../../shared/contract/index.ts';
import {
	contractPrefill,
	declineForm,
	proposalForm,
	readScopingFields,
	scopingAnswersForm,
	scopingFieldName,
	scopingQuestions,
	takeForm,
	type ScopingQuestion
} from '../../shared/scoping/index.ts';
import { EXPIRED, createLink, linkState, openLink, type LinkState } from './links.ts';
import { mailTo, registerProposalMail, type Recipient } from './mail.ts';
import { findProposal, moveProposal, toProposal, type Proposal } from './store.ts';

export type { Proposal } from './store.ts';
export type { LinkState } from './links.ts';

/** What proposals need from the rest of the product; each feature provides its part. */
export interface ProposalSources {
	/** Creates the engagement inside the caller's transaction (the engagements feature). */
	createEngagement(coachId: string, input: unknown, within: Transaction<Database>): Promise<Result<EngagementRow>>;
	createInvite(engagementId: string, coachId: string): Promise<Result<{ token: string }>>;
	roleOf(engagementId: string, userId: string): Promise<EngagementRole | null>;
	people(userIds: readonly string[]): Promise<{ id: string; name: string }[]>;
}

/** A proposal as its coach sees it, with the emails sent about it. */
export interface ProposalView extends Proposal {
	questions: ScopingQuestion[];
	links: { createdAt: number; expiresAt: number; usedAt: number | null }[];
	emails: Pick<MailJobRow, 'id' | 'kind' | 'to_name' | 'to_address' | 'status' | 'last_error' | 'sent_at' | 'created_at'>[];
}

/** What a scoping link shows, with no account: the proposal's title, request and the questions. */
export interface ScopingLinkView {
	state: LinkState;
	title: string;
	kind: Proposal['kind'];
	coachName: string;
	request: string;
	questions: ScopingQuestion[];
	coachQuestions: string[];
	expiresAt: number;
	answeredAt: number | null;
	decidedAt: number | null;
}

export interface Proposals {
	create(coachId: string, input: unknown, origin: string): Promise<Result<Proposal>>;
	get(proposalId: string, userId: string): Promise<ProposalView | null>;
	listForCoach(userId: string): Promise<Pick<Proposal, 'id' | 'title' | 'kind' | 'status' | 'createdAt' | 'answeredAt' | 'decidedAt' | 'engagementId' | 'prospect' | 'sponsor'>[]>;
	createLink(proposalId: string, userId: string): Promise<Result<{ token: string; expiresAt: number }>>;
	/** Emails a fresh scoping link to the prospect or the sponsor (once each). */
	emailLink(proposalId: string, userId: string, to: unknown): Promise<Result<{ to: string }>>;
	describeLink(token: string): Promise<Result<ScopingLinkView>>;
	/** The prospect's answers, once, through a usable link. */
	answer(token: string, input: Record<string, string>): Promise<Result<{ answeredAt: number }>>;
	take(proposalId: string, userId: string, input: unknown): Promise<Result<{ engagementId: string }>>;
	decline(proposalId: string, userId: string, input: unknown): Promise<Result<{ emailed: string[] }>>;
	/** The proposal an engagement came from, as dates, for a member; null when there is none or they are not a member. */
	lifeOf(engagementId: string, userId: string): Promise<{ proposalId: string; createdAt: number; answeredAt: number | null; decidedAt: number | null; invited: string | null } | null>;
	/** What the answers prefill in the engagement's first contract draft (no person asking: for the contracts feature). */
	prefillFor(engagementId: string): Promise<ContractPrefill | null>;
}

const NOT_FOUND = 'There is no such proposal, or it is not yours.';
const DECIDED = 'This proposal has already been decided.';

export function createProposals(deps: {
	db: Kysely<Database>;
	dialect: Dialect;
	sources: ProposalSources;
	mail: Pick<MailQueue, 'register' | 'enqueue' | 'kick' | 'statusOf'>;
	origin: string | undefined;
	/** The clock; tests pass their own to expire links without waiting. */
	now?: () => number;
}): Proposals {
	const { db, sources, mail } = deps;
	const now = deps.now ?? Date.now;
	const lock = deps.dialect.kind === 'postgres';
	const coachName = async (id: string) => (await sources.people([id]))[0]?.name ?? 'Your coach';

	registerProposalMail(mail, {
		db,
		origin: deps.origin,
		now,
		coachName,
		async createInvite(engagementId, coachId) {
			const r = await sources.createInvite(engagementId, coachId);
			return r.ok ? r.value : null;
		}
	});

	/** The proposal, only for its coach. */
	async function own(proposalId: string, userId: string): Promise<Proposal | null> {
		const p = await findProposal(db, proposalId);
		return p && p.coachId === userId ? p : null;
	}

	return {
		async create(coachId, input, origin) {
			const parsed = proposalForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const f = parsed.data;
			const at = now();
			const row = {
				id: newId(),
				coach_id: coachId,
				kind: f.kind,
				title: f.title,
				request: f.request,
				prospect_name: f.prospectName,
				prospect_email: f.prospectEmail,
				sponsor_name: f.sponsorName,
				sponsor_email: f.sponsorEmail,
				coach_questions: JSON.stringify(f.coachQuestions),
				status: 'open' as const,
				answers: null,
				answered_at: null,
				decided_at: null,
				decision_note: null,
				decline_message: null,
				engagement_id: null,
				origin,
				created_at: at,
				updated_at: at
			};
			await db.insertInto('proposals').values(row).execute();
			return ok(toProposal(row));
		},

		async get(proposalId, userId) {
			const p = await own(proposalId, userId);
			if (!p) return null;
			const [links, jobs] = await Promise.all([
				db.selectFrom('scoping_links').select(['created_at', 'expires_at', 'used_at']).where('proposal_id', '=', p.id).orderBy('created_at').execute(),
				mail.statusOf([p.id])
			]);
			return {
				...p,
				questions: scopingQuestions(p.kind),
				links: links.map((l) => ({ createdAt: l.created_at, expiresAt: l.expires_at, usedAt: l.used_at })),
				emails: jobs.map(({ id, kind, to_name, to_address, status, last_error, sent_at, created_at }) => ({ id, kind, to_name, to_address, status, last_error, sent_at, created_at }))
			};
		},

		async listForCoach(userId) {
			const rows = await db.selectFrom('proposals').selectAll().where('coach_id', '=', userId).orderBy('created_at', 'desc').limit(limits.scoping.dashboardShown).execute();
			return rows.map(toProposal).map(({ id, title, kind, status, createdAt, answeredAt, decidedAt, engagementId, prospect, sponsor }) => ({ id, title, kind, status, createdAt, answeredAt, decidedAt, engagementId, prospect, sponsor }));
		},

		async createLink(proposalId, userId) {
			const p = await own(proposalId, userId);
			if (!p) return fail('not_found', NOT_FOUND);
			if (p.status !== 'open') return fail('conflict', p.status === 'answered' ? 'The scoping questions are already answered.' : DECIDED);
			return ok(await createLink(db, p.id, now()));
		},

		async emailLink(proposalId, userId, to) {
			const p = await own(proposalId, userId);
			if (!p) return fail('not_found', NOT_FOUND);
			if (to !== 'prospect' && to !== 'sponsor') return fail('invalid_input', 'Choose whom to email the link to.', 'to');
			if (p.status !== 'open') return fail('conflict', p.status === 'answered' ? 'The scoping questions are already answered.' : DECIDED);
			const mails = mailTo(p, 'scoping_link', [to as Recipient]);
			if (!mails.length) return fail('invalid_input', `The proposal has no email address for the ${to === 'prospect' ? 'prospective coachee' : 'sponsor'}.`, 'to');
			const already = (await mail.statusOf([p.id])).some((j) => j.kind === 'scoping_link' && j.user_id === to);
			if (already) return fail('conflict', 'The link was already emailed to them; copy a new link to send it another way.');
			await mail.enqueue(db, mails);
			mail.kick();
			return ok({ to: mails[0]!.toAddress });
		},

		async describeLink(token) {
			const opened = await openLink(db, token, now());
			if (!opened.ok) return opened;
			const { link, proposal: p, state } = opened.value;
			return ok({
				state,
				title: p.title,
				kind: p.kind,
				coachName: await coachName(p.coachId),
				request: p.request,
				questions: scopingQuestions(p.kind),
				coachQuestions: p.coachQuestions,
				expiresAt: link.expires_at,
				answeredAt: p.answeredAt,
				decidedAt: p.decidedAt
			});
		},

		async answer(token, input) {
			const opened = await openLink(db, token, now());
			if (!opened.ok) return opened;
			const { link, proposal: p, state } = opened.value;
			if (state !== 'open') return fail('gone', closedMessage(state));
			const parsed = scopingAnswersForm(p.coachQuestions).safeParse(readScopingFields(input, p.coachQuestions));
			if (!parsed.success) {
				const fields: Record<string, string> = {};
				for (const i of parsed.error.issues) fields[scopingFieldName(i.path)] ??= i.message;
				const [field, message] = Object.entries(fields)[0]!;
				return { ok: false, error: { code: 'invalid_input', message, field, fields } };
			}
			const a = parsed.data;
			const answers = { ...a, own: p.coachQuestions.map((question, i) => ({ question, answer: a.own[i] ?? '' })) };
			const at = now();
			const done = await db.transaction().execute(async (trx) => {
				// The guarded move keeps the answers single: two tabs submitting at once, one wins.
				const moved = await moveProposal(trx, p.id, ['open'], { status: 'answered', answers: JSON.stringify(answers), answered_at: at, updated_at: at });
				if (moved) await trx.updateTable('scoping_links').set({ used_at: at }).where('id', '=', link.id).execute();
				return moved;
			});
			return done ? ok({ answeredAt: at }) : fail('gone', closedMessage('answered'));
		},

		async take(proposalId, userId, input) {
			const p = await own(proposalId, userId);
			if (!p) return fail('not_found', NOT_FOUND);
			const parsed = takeForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const f = parsed.data;
			const result = await db.transaction().execute(async (trx): Promise<Result<{ engagementId: string }>> => {
				const current = await findProposal(trx, p.id, lock);
				if (!current || (current.status !== 'open' && current.status !== 'answered')) return fail('conflict', DECIDED);
				const e = await sources.createEngagement(userId, { kind: p.kind, title: f.title, goals: f.goals, plannedSessions: f.plannedSessions, frequency: f.frequency }, trx);
				if (!e.ok) return e;
				const at = now();
				const moved = await moveProposal(trx, p.id, ['open', 'answered'], { status: 'taken', decided_at: at, decision_note: f.note || null, engagement_id: e.value.id, updated_at: at });
				// Lost a race (SQLite has no row lock): throwing undoes the engagement too.
				if (!moved) throw new DecidedMeanwhile();
				await mail.enqueue(trx, mailTo(current, 'proposal_invite', ['prospect']));
				return ok({ engagementId: e.value.id });
			}).catch((err: unknown) => {
				if (err instanceof DecidedMeanwhile) return fail('conflict', DECIDED);
				throw err;
			});
			if (result.ok) mail.kick();
			return result;
		},

		async decline(proposalId, userId, input) {
			const p = await own(proposalId, userId);
			if (!p) return fail('not_found', NOT_FOUND);
			const parsed = declineForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const mails = mailTo(p, 'proposal_decline', ['prospect', 'sponsor']);
			const at = now();
			const moved = await db.transaction().execute(async (trx) => {
				const ok = await moveProposal(trx, p.id, ['open', 'answered'], { status: 'declined', decided_at: at, decline_message: parsed.data.message, decision_note: parsed.data.note || null, updated_at: at });
				if (ok) await mail.enqueue(trx, mails);
				return ok;
			});
			if (!moved) return fail('conflict', DECIDED);
			mail.kick();
			return ok({ emailed: mails.map((m) => m.toAddress) });
		},

		async lifeOf(engagementId, userId) {
			if (!(await sources.roleOf(engagementId, userId))) return null;
			const row = await db.selectFrom('proposals').select(['id', 'created_at', 'answered_at', 'decided_at', 'prospect_name', 'prospect_email']).where('engagement_id', '=', engagementId).executeTakeFirst();
			return row ? { proposalId: row.id, createdAt: row.created_at, answeredAt: row.answered_at, decidedAt: row.decided_at, invited: row.prospect_email ? row.prospect_name : null } : null;
		},

		async prefillFor(engagementId) {
			const row = await db.selectFrom('proposals').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
			if (!row) return null;
			const p = toProposal(row);
			return contractPrefill(p.answers, p.sponsor);
		}
	};
}

class DecidedMeanwhile extends Error {}

/** What a link says once it takes no more answers. */
export function closedMessage(state: Exclude<LinkState, 'open'>): string {
	if (state === 'expired') return EXPIRED;
	if (state === 'answered') return 'These questions have already been answered; thank you. The coach will be in touch.';
	if (state === 'taken') return 'The coach has taken this work on. Look for the invitation to join in your email.';
	return 'The coach has decided not to take this work on, and has written to you about it.';
}

export { linkState };
