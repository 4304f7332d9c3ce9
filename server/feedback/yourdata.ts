/** Session feedback's part of export and erasure (server/yourdata/registry.ts): each person's answers after a session, the coach's reflection and note. */
import { nameIn, type ExportContext, type Membership, type TableGroup } from '../yourdata/registry.ts';

const numberOf = (m: Membership, sessionId: string) => m.sessions.find((s) => s.id === sessionId)?.number ?? null;

/** As the feedback page shows it: a coachee their own answers and the coach's note; the coach their own reflection and note, and every coachee's answers. */
async function feedbackOf({ db, person }: ExportContext, m: Membership) {
	const rows = await db.selectFrom('session_feedback').selectAll().where('engagement_id', '=', m.engagementId).orderBy('created_at').execute();
	const out = [];
	for (const r of rows) {
		const session = numberOf(m, r.session_id);
		const base = { session, by: nameIn(m, r.user_id), role: r.role, state: r.state, updatedAt: r.updated_at };
		if (r.user_id === person.id && r.role === 'coach') out.push({ ...base, reflection: r.reflection, noteToCoachee: r.note_to_coachee });
		else if (r.user_id === person.id || (m.role === 'coach' && r.role === 'coachee' && r.state === 'given')) out.push({ ...base, usefulness: r.usefulness, helped: r.helped, better: r.better });
		else if (r.role === 'coach' && r.state === 'given' && r.note_to_coachee) out.push({ ...base, noteToCoachee: r.note_to_coachee });
	}
	return out;
}

export const feedbackGroup: TableGroup = {
	name: 'session feedback',
	exports: ['session_feedback'],
	erases: ['session_feedback'],
	sees: "Coachee: their own answers after each session and the coach's note to them. Coach: their own private reflection and note, and every coachee's answers. Nobody else's reflection, ever.",

	async export(ctx) {
		const files = [];
		for (const m of ctx.memberships) {
			const feedback = await feedbackOf(ctx, m);
			if (feedback.length) files.push({ path: `${m.folder}/feedback.json`, json: feedback });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('session_feedback').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('session_feedback').where('user_id', '=', person.id).execute();
	}
};
