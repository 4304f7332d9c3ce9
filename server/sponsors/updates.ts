/**
 * Updates for the sponsor: the coach drafts one (at a session's end or any
 * time); a coachee approves it as is or edited, or declines it. Only the
 * approved text ever reaches a sponsor, and the record keeps who decided
 * what and when.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Database, SponsorUpdateRow } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { newId } from '../auth/index.ts';

export const updateText = z
	.string({ error: 'Write the update.' })
	.trim()
	.min(1, 'Write the update.')
	.max(limits.sponsors.maxUpdateChars, `Keep the update to ${limits.sponsors.maxUpdateChars.toLocaleString('en-GB')} characters.`);

export const draftForm = z.object({ text: updateText });
export const decisionForm = z.discriminatedUnion('decision', [
	z.object({ decision: z.literal('approve'), text: updateText }),
	z.object({ decision: z.literal('decline') })
], { error: 'Choose to approve or decline the update.' });

export interface SponsorUpdate {
	id: string;
	status: SponsorUpdateRow['status'];
	draftText: string;
	finalText: string | null;
	draftedBy: string;
	decidedBy: string | null;
	decidedAt: number | null;
	createdAt: number;
}

const view = (r: SponsorUpdateRow): SponsorUpdate => ({
	id: r.id,
	status: r.status,
	draftText: r.draft_text,
	finalText: r.final_text,
	draftedBy: r.drafted_by,
	decidedBy: r.decided_by,
	decidedAt: r.decided_at,
	createdAt: r.created_at
});

export async function draftUpdate(db: Kysely<Database>, engagementId: string, coachId: string, input: unknown): Promise<Result<SponsorUpdate>> {
	const form = draftForm.safeParse(input);
	if (!form.success) return invalidForm(form.error);
	const row: SponsorUpdateRow = {
		id: newId(),
		engagement_id: engagementId,
		drafted_by: coachId,
		draft_text: form.data.text,
		status: 'awaiting',
		final_text: null,
		decided_by: null,
		decided_at: null,
		created_at: Date.now()
	};
	await db.insertInto('sponsor_updates').values(row).execute();
	return ok(view(row));
}

export async function listUpdates(db: Kysely<Database>, engagementId: string, onlyApproved: boolean): Promise<SponsorUpdate[]> {
	let q = db.selectFrom('sponsor_updates').selectAll().where('engagement_id', '=', engagementId);
	if (onlyApproved) q = q.where('status', '=', 'approved');
	return (await q.orderBy('created_at', 'desc').execute()).map(view);
}

export async function findUpdate(db: Kysely<Database>, updateId: string): Promise<SponsorUpdateRow | undefined> {
	return db.selectFrom('sponsor_updates').selectAll().where('id', '=', updateId).executeTakeFirst();
}

/** Applies a coachee's decision; `onApproved` queues the sponsor's email in the same transaction. */
export async function decideUpdate(
	db: Kysely<Database>,
	update: SponsorUpdateRow,
	coacheeId: string,
	input: unknown,
	onApproved: (trx: Transaction<Database>, u: SponsorUpdateRow) => Promise<void>
): Promise<Result<SponsorUpdate>> {
	const form = decisionForm.safeParse(input);
	if (!form.success) return invalidForm(form.error);
	const now = Date.now();
	const patch = form.data.decision === 'approve' ? { status: 'approved' as const, final_text: form.data.text } : { status: 'declined' as const, final_text: null };
	return db.transaction().execute(async (trx) => {
		// Only an update still awaiting a decision changes: two tabs deciding at once, one wins.
		const r = await trx
			.updateTable('sponsor_updates')
			.set({ ...patch, decided_by: coacheeId, decided_at: now })
			.where('id', '=', update.id)
			.where('status', '=', 'awaiting')
			.executeTakeFirst();
		if (Number(r.numUpdatedRows) !== 1) return fail('conflict', 'This update was already decided.');
		const decided: SponsorUpdateRow = { ...update, ...patch, decided_by: coacheeId, decided_at: now };
		if (decided.status === 'approved') await onApproved(trx, decided);
		return ok(view(decided));
	});
}
