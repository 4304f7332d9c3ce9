/** The referrals' part of export and erasure (server/yourdata/registry.ts): referrals outside the coaching remit. */
import { ids, type TableGroup } from '../yourdata/registry.ts';

export const referralsGroup: TableGroup = {
	name: 'referrals',
	exports: ['referrals'],
	erases: ['referrals'],
	sees: "Coach: every referral with their own wording of the issue. Coachee: their own referrals, without the coach's wording. Sponsor: none.",

	async export({ db, person, memberships }) {
		const files = [];
		for (const m of memberships) {
			let q = db.selectFrom('referrals').select(['issue_note', 'refer_to', 'reason', 'discussed_on', 'status', 'created_at', 'decided_at', 'referred_at']).where('engagement_id', '=', m.engagementId);
			if (m.role !== 'coach') q = q.where('coachee_id', '=', person.id);
			const rows = (await q.orderBy('created_at').execute()).map(({ issue_note: note, ...r }) => (m.role === 'coach' ? { ...r, issueNote: note } : r));
			if (rows.length) files.push({ path: `${m.folder}/referrals.json`, json: rows });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('referrals').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, staying }) {
		const coached = staying.filter((m) => m.role === 'coach');
		// The coach's wording was for them alone.
		if (coached.length) await trx.updateTable('referrals').set({ issue_note: '' }).where('engagement_id', 'in', ids(coached)).execute();
	}
};
