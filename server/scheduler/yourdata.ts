/** The scheduler's part of erasure (server/yourdata/registry.ts): jobs still waiting that name an erased record or person. */
import type { TableGroup } from '../yourdata/registry.ts';

export const schedulerGroup: TableGroup = {
	name: 'scheduler',
	exports: [],
	erases: ['scheduled_jobs'],
	sees: 'Nobody: the queue holds a kind and an id per job, nothing anyone wrote.',

	async export() {
		return [];
	},

	async eraseEngagement({ trx, subjects }) {
		// Subjects start with the record they are about: "<sessionId>|<userId>|<minutes>" for a reminder.
		for (const id of subjects) await trx.deleteFrom('scheduled_jobs').where('state', '=', 'pending').where((eb) => eb.or([eb('subject', '=', id), eb('subject', 'like', `${id}|%`)])).execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('scheduled_jobs').where('state', '=', 'pending').where('subject', 'like', `%|${person.id}|%`).execute();
	}
};
