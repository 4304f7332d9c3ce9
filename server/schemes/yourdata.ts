/** The schemes' part of export and erasure (server/yourdata/registry.ts): coaching and mentoring schemes: coordinating, volunteer profiles, requests, matches and feedback. */
import type { TableGroup } from '../yourdata/registry.ts';

export const schemesGroup: TableGroup = {
	name: 'schemes',
	exports: ['schemes', 'scheme_coordinators', 'scheme_invites', 'scheme_volunteers', 'scheme_requests', 'scheme_matches', 'scheme_feedback'],
	erases: ['scheme_coordinators', 'scheme_invites', 'scheme_volunteers', 'scheme_requests', 'scheme_matches', 'scheme_feedback'],
	sees: 'Coordinator: the schemes they coordinate and the invitations they sent. Volunteer: their profile in each scheme. Requester: their requests. Both sides of a match: its state, both answers, and the feedback they gave.',

	async export({ db, person }) {
		const coordinated = await db.selectFrom('scheme_coordinators').innerJoin('schemes', 'schemes.id', 'scheme_coordinators.scheme_id').selectAll('schemes').where('scheme_coordinators.user_id', '=', person.id).execute();
		const invites = await db.selectFrom('scheme_invites').select(['scheme_id', 'role', 'name', 'email', 'created_at', 'used_at']).where('created_by', '=', person.id).execute();
		const profiles = await db.selectFrom('scheme_volunteers').selectAll().where('user_id', '=', person.id).execute();
		const requests = await db.selectFrom('scheme_requests').selectAll().where('user_id', '=', person.id).execute();
		const matches = await db
			.selectFrom('scheme_matches')
			.select(['scheme_id', 'state', 'proposed_at', 'note', 'volunteer_answer', 'volunteer_reason', 'requester_answer', 'requester_reason', 'closed_at', 'volunteer_id'])
			.where((eb) => eb.or([eb('volunteer_id', '=', person.id), eb('requester_id', '=', person.id)]))
			.execute();
		const feedback = await db.selectFrom('scheme_feedback').select(['match_id', 'role', 'helpful', 'learning', 'gained', 'comment', 'created_at']).where('user_id', '=', person.id).execute();
		if (![coordinated, invites, profiles, requests, matches, feedback].some((l) => l.length)) return [];
		return [
			{
				path: 'schemes/schemes.json',
				json: {
					coordinating: coordinated.map(({ volunteers_rev: _r, ...s }) => s),
					invitationsSent: invites,
					volunteerProfiles: profiles,
					requests,
					matches: matches.map(({ volunteer_id: v, ...m }) => ({ ...m, yourSide: v === person.id ? 'volunteer' : 'requester' })),
					feedbackGiven: feedback
				}
			}
		];
	},

	async eraseEngagement() {
		// A scheme's match keeps pointing at the engagement; what was said in it is the engagement's, erased there.
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('scheme_coordinators').where('user_id', '=', person.id).execute();
		await trx.deleteFrom('scheme_invites').where((eb) => eb.or([eb('email', '=', person.email), eb('used_by', '=', person.id)])).execute();
		// Profiles and requests stay as rows (matches point at them) with nothing of the person left, and are never suggested again.
		await trx.updateTable('scheme_volunteers').set({ free_words: '', experience: '', qualifications: '', availability: '', capacity: 0, complete: 0 }).where('user_id', '=', person.id).execute();
		await trx.updateTable('scheme_requests').set({ develop: '', why_now: '', success: '' }).where('user_id', '=', person.id).execute();
		await trx.updateTable('scheme_matches').set({ volunteer_reason: null }).where('volunteer_id', '=', person.id).execute();
		await trx.updateTable('scheme_matches').set({ requester_reason: null }).where('requester_id', '=', person.id).execute();
		await trx.updateTable('scheme_feedback').set({ comment: '' }).where('user_id', '=', person.id).execute();
	}
};
