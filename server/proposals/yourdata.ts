/** The proposals' part of export and erasure (server/yourdata/registry.ts): proposals and their scoping answers, before an engagement is taken on. */
import type { Transaction } from 'kysely';
import type { Database } from '../store/index.ts';
import { scrub, type TableGroup } from '../yourdata/registry.ts';

async function dropProposals(trx: Transaction<Database>, proposalIds: string[]) {
	if (proposalIds.length === 0) return;
	await trx.deleteFrom('scoping_links').where('proposal_id', 'in', proposalIds).execute();
	await trx.deleteFrom('proposals').where('id', 'in', proposalIds).execute();
}

export const proposalsGroup: TableGroup = {
	name: 'proposals',
	exports: ['proposals'],
	erases: ['proposals', 'scoping_links'],
	sees: 'Coach: every proposal they made, with the scoping answers, their decision and private note, and any decline text sent. Coachee and sponsor: none here (answers through a scoping link belong to no account; the emails they received are under mail/).',

	async export({ db, person }) {
		const rows = await db.selectFrom('proposals').selectAll().where('coach_id', '=', person.id).orderBy('created_at').execute();
		if (rows.length === 0) return [];
		return [{ path: 'proposals/proposals.json', json: rows.map(({ coach_id: _c, origin: _o, answers, coach_questions: q, ...p }) => ({ ...p, coachQuestions: JSON.parse(q) as unknown, answers: answers ? (JSON.parse(answers) as unknown) : null })) }];
	},

	async subjectsOf(trx, engagementId) {
		return (await trx.selectFrom('proposals').select('id').where('engagement_id', '=', engagementId).execute()).map((p) => p.id);
	},

	async eraseEngagement({ trx, engagementId }) {
		const rows = await trx.selectFrom('proposals').select('id').where('engagement_id', '=', engagementId).execute();
		await dropProposals(trx, rows.map((r) => r.id));
	},

	async eraseAccount({ trx, person }) {
		await dropProposals(trx, (await trx.selectFrom('proposals').select('id').where('coach_id', '=', person.id).execute()).map((r) => r.id));
		// Another coach's proposal that names this person keeps the proposal, not them.
		const naming = await trx.selectFrom('proposals').selectAll().where((eb) => eb.or([eb('prospect_email', '=', person.email), eb('sponsor_email', '=', person.email)])).execute();
		const words = [person.name, person.email];
		for (const p of naming) {
			const prospect = p.prospect_email === person.email;
			const sponsor = p.sponsor_email === person.email;
			await trx
				.updateTable('proposals')
				.set({
					prospect_name: prospect ? '' : p.prospect_name,
					prospect_email: prospect ? '' : p.prospect_email,
					sponsor_name: sponsor ? '' : p.sponsor_name,
					sponsor_email: sponsor ? '' : p.sponsor_email,
					answers: p.answers === null ? null : scrub(p.answers, words)
				})
				.where('id', '=', p.id)
				.execute();
		}
	}
};
