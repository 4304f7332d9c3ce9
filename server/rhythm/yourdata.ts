/** The rhythm's part of export and erasure (server/yourdata/registry.ts): preparation for sessions, action updates between them, reminder choices. */
import { nameIn, type TableGroup } from '../yourdata/registry.ts';

export const rhythmGroup: TableGroup = {
	name: 'rhythm',
	exports: ['session_preparations', 'action_updates', 'reminder_preferences'],
	erases: ['session_preparations', 'action_updates', 'reminder_preferences'],
	sees: "Coach and coachee: their own preparation for each session (the coach's with their private note), the coach also what each coachee prepared for them; both: the action updates made between sessions; everyone: their reminder choices.",

	async export({ db, person, memberships }) {
		const files = [];
		const reminders = await db.selectFrom('reminder_preferences').select(['offsets', 'updated_at']).where('user_id', '=', person.id).executeTakeFirst();
		if (reminders) files.push({ path: 'account/reminders.json', json: { minutesBefore: JSON.parse(reminders.offsets) as unknown, updatedAt: reminders.updated_at } });
		for (const m of memberships) {
			const sessionIds = m.sessions.map((s) => s.id);
			const rows = sessionIds.length ? await db.selectFrom('session_preparations').selectAll().where('session_id', 'in', sessionIds).execute() : [];
			// A coachee reads their own; the coach reads every coachee's (as the agenda shows it) and only their own private note.
			const preparations = rows
				.filter((p) => p.user_id === person.id || m.role === 'coach')
				.map((p) => ({ session: m.sessions.find((s) => s.id === p.session_id)?.number, by: nameIn(m, p.user_id), want: p.want, actions: JSON.parse(p.actions) as unknown, forCoach: p.for_coach, updatedAt: p.updated_at, ...(p.user_id === person.id ? { privateNote: p.private_note } : {}) }));
			const updates = (await db.selectFrom('action_updates').select(['action_id', 'status', 'comment', 'user_id', 'created_at']).where('engagement_id', '=', m.engagementId).orderBy('created_at').execute()).map(({ user_id: who, ...u }) => ({ ...u, by: nameIn(m, who) }));
			if (preparations.length || updates.length) files.push({ path: `${m.folder}/between-sessions.json`, json: { preparations, actionUpdates: updates } });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId, sessionIds }) {
		await trx.deleteFrom('action_updates').where('engagement_id', '=', engagementId).execute();
		if (sessionIds.length) await trx.deleteFrom('session_preparations').where('session_id', 'in', sessionIds).execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('session_preparations').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('reminder_preferences').where('user_id', '=', person.id).execute();
		// That an action was marked done stays for the other party; the words were theirs.
		await trx.updateTable('action_updates').set({ comment: '' }).where('user_id', '=', person.id).execute();
	}
};
