/** The coach's practice's part of export and erasure (server/yourdata/registry.ts): how each engagement goes into the hours log, and the supervision notes. The hours themselves come from the sessions held (the engagements' group). */
import { ids, scrub, type TableGroup } from '../yourdata/registry.ts';

export const practiceGroup: TableGroup = {
	name: 'practice',
	exports: ['practice_engagements', 'supervision_notes'],
	erases: ['practice_engagements', 'supervision_notes'],
	sees: 'Coach only: how each engagement they coach goes into their hours log (paid or pro bono, the organisation) and their supervision notes, as they wrote them. Nobody else: no coachee, sponsor or coordinator ever reads these.',

	async export({ db, person, memberships }) {
		const files = [];
		for (const m of memberships.filter((x) => x.role === 'coach')) {
			const log = await db.selectFrom('practice_engagements').select(['funding', 'organisation', 'updated_at']).where('engagement_id', '=', m.engagementId).where('coach_id', '=', person.id).executeTakeFirst();
			const notes = await db.selectFrom('supervision_notes').select(['body', 'created_at', 'updated_at']).where('engagement_id', '=', m.engagementId).orderBy('created_at').orderBy('id').execute();
			if (log || notes.length) files.push({ path: `${m.folder}/practice.json`, json: { hoursLog: log ?? null, supervisionNotes: notes } });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		await trx.deleteFrom('supervision_notes').where('engagement_id', '=', engagementId).execute();
		// Paid or pro bono stays with the hours held (the coach's credential log); the organisation is the client's detail.
		await trx.updateTable('practice_engagements').set({ organisation: '' }).where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		await trx.deleteFrom('supervision_notes').where('coach_id', '=', person.id).execute();
		await trx.deleteFrom('practice_engagements').where('coach_id', '=', person.id).execute();
		// A coachee who leaves: the coach's notes stay theirs, without the coachee's name or address.
		const coached = ids(staying.filter((m) => m.role !== 'coach'));
		if (coached.length === 0) return;
		const words = [person.name, person.email];
		for (const n of await trx.selectFrom('supervision_notes').select(['id', 'body']).where('engagement_id', 'in', coached).execute()) {
			const body = scrub(n.body, words);
			if (body !== n.body) await trx.updateTable('supervision_notes').set({ body }).where('id', '=', n.id).execute();
		}
	}
};
