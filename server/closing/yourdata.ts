/** Closing's part of export and erasure (server/yourdata/registry.ts): how the engagement closed, the final evaluations, the report stored when it was sent, the coachees' follow-up answers. */
import type { Transaction } from 'kysely';
import type { Database } from '../store/index.ts';
import { ids, nameIn, scrub, type ExportContext, type Membership, type Person, type TableGroup } from '../yourdata/registry.ts';
import type { EvaluationQuestion } from '../../shared/closing/index.ts';
import type { StoredReport } from './store.ts';

async function closingFile({ db, person }: ExportContext, m: Membership) {
	const closing = await db.selectFrom('engagement_closings').selectAll().where('engagement_id', '=', m.engagementId).executeTakeFirst();
	if (!closing) return null;
	const isCoach = m.role === 'coach';
	// As the report shows them: the coach reads everyone's; a coachee their own and the coach's, never another coachee's.
	const visible = (userId: string) => isCoach || userId === person.id || m.members.some((x) => x.userId === userId && x.role === 'coach');
	const evaluations = (await db.selectFrom('closing_evaluations').selectAll().where('engagement_id', '=', m.engagementId).orderBy('created_at').execute())
		.filter((e) => visible(e.user_id))
		.map((e) => {
			const { comment, goals, ...answers } = JSON.parse(e.answers) as Record<EvaluationQuestion, number> & { comment: string; goals: Record<string, number> };
			// The reflection goes back to its writer only.
			return { by: nameIn(m, e.user_id), role: e.role, answers, comment, goalsAtClose: goals, at: e.created_at, ...(e.user_id === person.id && e.reflection ? { reflection: e.reflection } : {}) };
		});
	const followUps = (await db.selectFrom('closing_follow_ups').selectAll().where('engagement_id', '=', m.engagementId).orderBy('answered_at').execute())
		.filter((f) => visible(f.user_id))
		.map((f) => ({ by: nameIn(m, f.user_id), lasted: f.lasted, notes: f.notes, at: f.answered_at }));
	const stored = await db.selectFrom('engagement_reports').select(['content', 'stored_at']).where('engagement_id', '=', m.engagementId).executeTakeFirst();
	// The reader's own copy as it was sent to them (the coach's with their reflections), never another's.
	const report = stored ? ((JSON.parse(stored.content) as StoredReport).copies[person.id] ?? null) : null;
	const { state, reason, note, follow_up_months, proposed_at, closed_at, follow_up_at } = closing;
	return {
		path: `${m.folder}/closing.json`,
		json: { state, reason, note, followUpMonths: follow_up_months, proposedBy: nameIn(m, closing.proposed_by), proposedAt: proposed_at, closedBy: closing.closed_by ? nameIn(m, closing.closed_by) : null, closedAt: closed_at, followUpAt: follow_up_at, evaluations, followUps, report: report && { storedAt: stored!.stored_at, ...report } }
	};
}

/** The other members' stored copies keep the report, with the person's name and address replaced; their own copy goes. */
async function scrubReports(trx: Transaction<Database>, person: Person, engagementIds: string[]) {
	if (engagementIds.length === 0) return;
	const words = [person.name, person.email];
	for (const r of await trx.selectFrom('engagement_reports').select(['engagement_id', 'content']).where('engagement_id', 'in', engagementIds).execute()) {
		const { copies } = JSON.parse(scrub(r.content, words)) as StoredReport;
		delete copies[person.id];
		if (Object.keys(copies).length === 0) await trx.deleteFrom('engagement_reports').where('engagement_id', '=', r.engagement_id).execute();
		else await trx.updateTable('engagement_reports').set({ content: JSON.stringify({ copies }) }).where('engagement_id', '=', r.engagement_id).execute();
	}
}

export const closingGroup: TableGroup = {
	name: 'closing',
	exports: ['engagement_closings', 'closing_evaluations', 'engagement_reports', 'closing_follow_ups'],
	erases: ['engagement_closings', 'closing_evaluations', 'engagement_reports', 'closing_follow_ups'],
	sees: "Coach and coachee: how the engagement closed, their own copy of the engagement report as it was sent (the coach's with their reflections; a coachee's without), their own final evaluation; the coach also every coachee's evaluation and follow-up answer, a coachee the coach's evaluation (never its reflection) and their own follow-up.",

	async export(ctx) {
		const files = [];
		for (const m of ctx.memberships) {
			const file = await closingFile(ctx, m);
			if (file) files.push(file);
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('closing_evaluations').where('engagement_id', '=', engagementId).execute();
		await trx.deleteFrom('closing_follow_ups').where('engagement_id', '=', engagementId).execute();
		await trx.deleteFrom('engagement_reports').where('engagement_id', '=', engagementId).execute();
		// That it closed, and when, stays (no session can be booked in it); the note was someone's words.
		await trx.updateTable('engagement_closings').set({ note: '', sponsor_update_id: null }).where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		await trx.deleteFrom('closing_evaluations').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('closing_follow_ups').where('user_id', '=', person.id).execute();
		if (staying.length === 0) return;
		const words = [person.name, person.email];
		for (const c of await trx.selectFrom('engagement_closings').select(['engagement_id', 'note', 'proposed_by', 'closed_by']).where('engagement_id', 'in', ids(staying)).execute()) {
			// The note is the proposer's (or the closing coach's) words: theirs go with them, the other's lose the name.
			const note = c.proposed_by === person.id || c.closed_by === person.id ? '' : scrub(c.note, words);
			if (note !== c.note) await trx.updateTable('engagement_closings').set({ note }).where('engagement_id', '=', c.engagement_id).execute();
		}
		await scrubReports(trx, person, ids(staying));
	}
};
