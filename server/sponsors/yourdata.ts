/** The sponsors' part of export and erasure (server/yourdata/registry.ts): sponsors of an engagement and the updates drafted for them. */
import { ids, scrub, type TableGroup } from '../yourdata/registry.ts';

export const sponsorsGroup: TableGroup = {
	name: 'sponsors',
	exports: ['engagement_sponsors', 'sponsor_updates'],
	erases: ['sponsor_links', 'engagement_sponsors', 'sponsor_updates'],
	sees: "Coach and coachee: every update drafted for the sponsor, the draft and the approved text, and who decided. Sponsor: the approved updates only, and when they joined.",

	async export({ db, memberships, sponsored }) {
		const files = [];
		for (const m of memberships) {
			const updates = await db.selectFrom('sponsor_updates').select(['draft_text', 'status', 'final_text', 'decided_at', 'created_at']).where('engagement_id', '=', m.engagementId).orderBy('created_at').execute();
			if (updates.length) files.push({ path: `${m.folder}/sponsor-updates.json`, json: updates });
		}
		for (const s of sponsored) {
			const updates = await db.selectFrom('sponsor_updates').select(['final_text', 'decided_at']).where('engagement_id', '=', s.engagementId).where('status', '=', 'approved').orderBy('decided_at').execute();
			files.push({ path: `${s.folder}/sponsor-updates.json`, json: updates });
		}
		return files;
	},

	async subjectsOf(trx, engagementId) {
		return (await trx.selectFrom('sponsor_updates').select('id').where('engagement_id', '=', engagementId).execute()).map((u) => u.id);
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('sponsor_updates').where('engagement_id', '=', engagementId).execute();
		await trx.deleteFrom('sponsor_links').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		// A sponsor who leaves stops sponsoring; updates they received stay with the coach and coachee.
		await trx.deleteFrom('engagement_sponsors').where('user_id', '=', person.id).execute();
		if (staying.length === 0) return;
		const rows = await trx.selectFrom('sponsor_updates').select(['id', 'draft_text', 'final_text']).where('engagement_id', 'in', ids(staying)).execute();
		const words = [person.name, person.email];
		for (const r of rows) await trx.updateTable('sponsor_updates').set({ draft_text: scrub(r.draft_text, words), final_text: r.final_text === null ? null : scrub(r.final_text, words) }).where('id', '=', r.id).execute();
	}
};
