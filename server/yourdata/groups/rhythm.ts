/** Between sessions: preparation for a session, action updates, and the reminders planned for sessions. */
import type { TableGroup } from '../registry.ts';

export const rhythmGroup: TableGroup = {
	name: 'rhythm',
	exports: ['session_preparations', 'action_updates'],
	erases: ['session_preparations', 'action_updates', 'scheduled_jobs'],
	sees: "Coach and coachee: their own preparation for each session (the coach's with their private note), the coach also what each coachee prepared for them; both: the action updates made between sessions.",

	async export({ db, person, memberships }) {
		const files = [];
		for (const m of memberships) {
			const preparations = await db
				.selectFrom('session_preparations')
				.innerJoin('coaching_sessions', 'coaching_sessions.id', 'session_preparations.session_id')
				.innerJoin('users', 'users.id', 'session_preparations.user_id')
				.select(['coaching_sessions.number', 'users.name', 'session_preparations.user_id', 'session_preparations.want', 'session_preparations.actions', 'session_preparations.for_coach', 'session_preparations.private_note', 'session_preparations.updated_at'])
				.where('coaching_sessions.engagement_id', '=', m.engagementId)
				.execute();
			// A coachee reads their own; the coach reads every coachee's (as the agenda shows it) and only their own private note.
			const shown = preparations
				.filter((p) => p.user_id === person.id || m.role === 'coach')
				.map(({ user_id: who, actions, private_note: note, ...p }) => ({ ...p, actions: JSON.parse(actions) as unknown, ...(who === person.id ? { privateNote: note } : {}) }));
			const updates = await db.selectFrom('action_updates').innerJoin('users', 'users.id', 'action_updates.user_id').select(['action_updates.action_id', 'action_updates.status', 'action_updates.comment', 'users.name', 'action_updates.created_at']).where('engagement_id', '=', m.engagementId).orderBy('action_updates.created_at').execute();
			if (shown.length || updates.length) files.push({ path: `${m.folder}/between-sessions.json`, json: { preparations: shown, actionUpdates: updates } });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId, sessionIds }) {
		await trx.deleteFrom('action_updates').where('engagement_id', '=', engagementId).execute();
		if (sessionIds.length === 0) return;
		await trx.deleteFrom('session_preparations').where('session_id', 'in', sessionIds).execute();
		// Reminders name the session: "<sessionId>|<userId>|<minutes>".
		for (const id of sessionIds) await trx.deleteFrom('scheduled_jobs').where('subject', 'like', `${id}|%`).where('state', '=', 'pending').execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('session_preparations').where('user_id', '=', person.id).execute();
		// That an action was marked done stays for the other party; the words were theirs.
		await trx.updateTable('action_updates').set({ comment: '' }).where('user_id', '=', person.id).execute();
		await trx.deleteFrom('scheduled_jobs').where('subject', 'like', `%|${person.id}|%`).where('state', '=', 'pending').execute();
	}
};
