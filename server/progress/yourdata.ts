/** Goal progress's part of export and erasure (server/yourdata/registry.ts): the 0-10 ratings of each goal. */
import { nameIn, type TableGroup } from '../yourdata/registry.ts';

export const progressGroup: TableGroup = {
	name: 'goal progress',
	exports: ['goal_ratings'],
	erases: ['goal_ratings'],
	sees: "Coach: every rating of the engagement's goals. Coachee: their own and the coach's (in a group, never another coachee's). Sponsor: none.",

	async export({ db, person, memberships }) {
		const files = [];
		for (const m of memberships) {
			let q = db.selectFrom('goal_ratings').selectAll().where('engagement_id', '=', m.engagementId);
			// As the progress chart: a coachee sees their own line and the coach's.
			if (m.role !== 'coach') q = q.where((eb) => eb.or([eb('rater_id', '=', person.id), eb('role', '=', 'coach')]));
			const rows = await q.orderBy('at').orderBy('created_at').execute();
			const ratings = rows.map((r) => ({
				goalId: r.goal_id,
				by: nameIn(m, r.rater_id),
				role: r.role,
				moment: r.moment,
				session: r.session_id ? (m.sessions.find((s) => s.id === r.session_id)?.number ?? null) : null,
				contractVersion: r.contract_version,
				score: r.score,
				at: r.at,
				updatedAt: r.updated_at
			}));
			if (ratings.length) files.push({ path: `${m.folder}/goal-progress.json`, json: ratings });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('goal_ratings').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('goal_ratings').where('rater_id', '=', person.id).execute();
	}
};
