/** The contracts' part of export and erasure (server/yourdata/registry.ts): versions and each party's acceptance. */
import { FORMER, ids, nameIn, scrub, type TableGroup } from '../yourdata/registry.ts';

export const contractsGroup: TableGroup = {
	name: 'contracts',
	exports: ['contracts', 'contract_acceptances'],
	erases: ['contracts', 'contract_acceptances'],
	sees: 'Coach: every version, drafts too. Coachee: the versions sent to them. Both: who accepted each and when. Sponsor: none (their page shows what the contract lets them see).',

	async export({ db, memberships }) {
		const files = [];
		for (const m of memberships) {
			let q = db.selectFrom('contracts').select(['id', 'version', 'status', 'body', 'created_at', 'sent_at', 'in_force_at', 'superseded_at']).where('engagement_id', '=', m.engagementId);
			if (m.role !== 'coach') q = q.where('status', '!=', 'draft');
			for (const c of await q.orderBy('version').execute()) {
				const rows = await db.selectFrom('contract_acceptances').select(['user_id', 'typed_name', 'ticked', 'accepted_at']).where('contract_id', '=', c.id).execute();
				const accepted = rows.map(({ user_id: who, ...a }) => ({ name: nameIn(m, who), ...a }));
				const { id: _id, body, ...rest } = c;
				files.push({ path: `${m.folder}/contract-v${c.version}.json`, json: { ...rest, body: JSON.parse(body) as unknown, acceptances: accepted.map((a) => ({ ...a, ticked: JSON.parse(a.ticked) as unknown })) } });
			}
		}
		return files;
	},

	async subjectsOf(trx, engagementId) {
		return (await trx.selectFrom('contracts').select('id').where('engagement_id', '=', engagementId).execute()).map((c) => c.id);
	},

	async eraseEngagement({ trx, engagementId }) {
		const contracts = (await trx.selectFrom('contracts').select('id').where('engagement_id', '=', engagementId).execute()).map((c) => c.id);
		if (contracts.length) await trx.deleteFrom('contract_acceptances').where('contract_id', 'in', contracts).execute();
		await trx.deleteFrom('contracts').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		await trx.updateTable('contract_acceptances').set({ typed_name: FORMER }).where('user_id', '=', person.id).execute();
		if (staying.length === 0) return;
		const rows = await trx.selectFrom('contracts').select(['id', 'body']).where('engagement_id', 'in', ids(staying)).execute();
		for (const r of rows) {
			const body = scrub(r.body, [person.name, person.email]);
			if (body !== r.body) await trx.updateTable('contracts').set({ body }).where('id', '=', r.id).execute();
		}
	}
};
