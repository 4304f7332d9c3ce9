/** Call privacy's part of export and erasure (server/yourdata/registry.ts): whether the coach requires end-to-end encrypted calls. */
import { nameIn, type TableGroup } from '../yourdata/registry.ts';

export const callPrivacyGroup: TableGroup = {
	name: 'call privacy',
	exports: ['engagement_call_privacy'],
	// A setting, not anyone's words: it stays (see NOT_ERASED) so the calls of what is kept stay protected.
	erases: [],
	sees: "Coach and coachee: whether the engagement's calls must be end-to-end encrypted, who set it and when (the engagement page shows it to both).",

	async export({ db, memberships }) {
		const files = [];
		for (const m of memberships) {
			const row = await db.selectFrom('engagement_call_privacy').selectAll().where('engagement_id', '=', m.engagementId).executeTakeFirst();
			if (row) files.push({ path: `${m.folder}/call-privacy.json`, json: { requireE2ee: row.require_e2ee === 1, changedBy: nameIn(m, row.changed_by), changedAt: row.changed_at } });
		}
		return files;
	},

	async eraseEngagement() {},
	async eraseAccount() {}
};
