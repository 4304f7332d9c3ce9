/**
 * Referral, only with the coachee's documented approval. When an issue is
 * outside the coaching remit, the coach records it (in their own words, seen
 * by nobody else), the proposed referral (to whom, why) and the date it was
 * discussed with the coachee. The coachee approves or declines it in their
 * account; only an approved referral can be marked referred. The product
 * sends nothing about it to anyone. Offers `createReferrals(deps)` with
 * `propose`, `decide`, `markReferred`, `withdraw` and `listFor` (the coach
 * sees everything; a coachee sees their own referrals without the coach's
 * wording of the issue; anyone else gets null).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, EngagementRole, ReferralRow, ReferralStatus } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { newId } from '../auth/index.ts';

const text = (what: string, max: number) => z.string({ error: `Write ${what}.` }).trim().min(1, `Write ${what}.`).max(max, `Use at most ${max} characters for ${what}.`);

export const proposalForm = z.object({
	coacheeId: z.string({ error: 'Choose the coachee.' }).min(1, 'Choose the coachee.'),
	issue: text('the issue outside the coaching remit (only you will see this)', 2_000),
	referTo: text('to whom you propose to refer', 200),
	reason: text('why, in words the coachee will read', 1_000),
	discussedOn: z
		.string({ error: 'Give the date you discussed it with the coachee.' })
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the date you discussed it with the coachee.')
		.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'Give a date that exists.')
});

const decisionForm = z.object({ decision: z.enum(['approve', 'decline'], { error: 'Choose to approve or decline the referral.' }) });

/** A referral as its coach sees it. */
export interface Referral {
	id: string;
	coacheeId: string;
	issue: string;
	referTo: string;
	reason: string;
	discussedOn: string;
	status: ReferralStatus;
	createdAt: number;
	decidedAt: number | null;
	referredAt: number | null;
}

/** As its coachee sees it: the proposal and their decision, not the coach's wording of the issue. */
export type ReferralForCoachee = Omit<Referral, 'issue'>;

export interface Referrals {
	propose(engagementId: string, userId: string, input: unknown, today?: string): Promise<Result<Referral>>;
	decide(engagementId: string, referralId: string, userId: string, input: unknown): Promise<Result<Referral>>;
	markReferred(engagementId: string, referralId: string, userId: string): Promise<Result<Referral>>;
	withdraw(engagementId: string, referralId: string, userId: string): Promise<Result<Referral>>;
	listFor(engagementId: string, userId: string): Promise<{ role: EngagementRole; referrals: (Referral | ReferralForCoachee)[] } | null>;
}

/** Who is in the engagement, from the engagements feature. */
export interface ReferralParties {
	members(engagementId: string): Promise<{ userId: string; role: EngagementRole }[]>;
}

const view = (r: ReferralRow): Referral => ({
	id: r.id,
	coacheeId: r.coachee_id,
	issue: r.issue_note,
	referTo: r.refer_to,
	reason: r.reason,
	discussedOn: r.discussed_on,
	status: r.status,
	createdAt: r.created_at,
	decidedAt: r.decided_at,
	referredAt: r.referred_at
});

const forCoachee = ({ issue: _coachOnly, ...rest }: Referral): ReferralForCoachee => rest;

const NOT_FOUND = 'No such referral.';

export function createReferrals(deps: { db: Kysely<Database>; parties: ReferralParties }): Referrals {
	const { db, parties } = deps;

	async function roleOf(engagementId: string, userId: string) {
		return (await parties.members(engagementId)).find((m) => m.userId === userId)?.role ?? null;
	}

	async function find(engagementId: string, referralId: string) {
		const row = await db.selectFrom('referrals').selectAll().where('id', '=', referralId).where('engagement_id', '=', engagementId).executeTakeFirst();
		return row ?? null;
	}

	/** Moves a referral from `from` to `to`; a racing change makes it a conflict, not a double move. */
	async function move(row: ReferralRow, from: ReferralStatus, set: Partial<ReferralRow> & { status: ReferralStatus }): Promise<Result<Referral>> {
		const r = await db.updateTable('referrals').set(set).where('id', '=', row.id).where('status', '=', from).executeTakeFirst();
		if (Number(r.numUpdatedRows) !== 1) return fail('conflict', 'This referral changed meanwhile; reload the page.');
		return ok(view({ ...row, ...set }));
	}

	return {
		async propose(engagementId, userId, input, today = new Date().toISOString().slice(0, 10)) {
			const people = await parties.members(engagementId);
			const me = people.find((p) => p.userId === userId);
			if (!me) return fail('not_found', 'No such engagement.');
			if (me.role !== 'coach') return fail('forbidden', 'Only the coach proposes a referral, after discussing it with the coachee.');
			const form = proposalForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			const f = form.data;
			if (!people.some((p) => p.userId === f.coacheeId && p.role === 'coachee')) return fail('invalid_input', 'Choose a coachee of this engagement.', 'coacheeId');
			if (f.discussedOn > today) return fail('invalid_input', 'A referral is proposed after discussing it: the date cannot be in the future.', 'discussedOn');
			const row: ReferralRow = {
				id: newId(),
				engagement_id: engagementId,
				coachee_id: f.coacheeId,
				proposed_by: userId,
				issue_note: f.issue,
				refer_to: f.referTo,
				reason: f.reason,
				discussed_on: f.discussedOn,
				status: 'proposed',
				created_at: Date.now(),
				decided_at: null,
				referred_at: null
			};
			await db.insertInto('referrals').values(row).execute();
			return ok(view(row));
		},

		async decide(engagementId, referralId, userId, input) {
			const row = await find(engagementId, referralId);
			if (!row || !(await roleOf(engagementId, userId))) return fail('not_found', NOT_FOUND);
			if (row.coachee_id !== userId) return fail('forbidden', 'Only the coachee the referral is about can approve or decline it.');
			const form = decisionForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			if (row.status !== 'proposed') return fail('conflict', 'This referral was already decided or withdrawn.');
			return move(row, 'proposed', { status: form.data.decision === 'approve' ? 'approved' : 'declined', decided_at: Date.now() });
		},

		async markReferred(engagementId, referralId, userId) {
			const row = await find(engagementId, referralId);
			const role = await roleOf(engagementId, userId);
			if (!row || !role) return fail('not_found', NOT_FOUND);
			if (role !== 'coach') return fail('forbidden', 'Only the coach marks a referral as made.');
			if (row.status !== 'approved') return fail('conflict', row.status === 'proposed' ? 'The coachee has not approved this referral yet; it cannot be marked referred.' : `This referral is ${row.status}; it cannot be marked referred.`);
			return move(row, 'approved', { status: 'referred', referred_at: Date.now() });
		},

		async withdraw(engagementId, referralId, userId) {
			const row = await find(engagementId, referralId);
			const role = await roleOf(engagementId, userId);
			if (!row || !role) return fail('not_found', NOT_FOUND);
			if (role !== 'coach') return fail('forbidden', 'Only the coach withdraws a referral.');
			if (row.status !== 'proposed' && row.status !== 'approved') return fail('conflict', `This referral is ${row.status}; it cannot be withdrawn.`);
			return move(row, row.status, { status: 'withdrawn' });
		},

		async listFor(engagementId, userId) {
			const role = await roleOf(engagementId, userId);
			if (!role) return null;
			let q = db.selectFrom('referrals').selectAll().where('engagement_id', '=', engagementId);
			if (role !== 'coach') q = q.where('coachee_id', '=', userId);
			const rows = (await q.orderBy('created_at', 'desc').execute()).map(view);
			return { role, referrals: role === 'coach' ? rows : rows.map(forCoachee) };
		}
	};
}
