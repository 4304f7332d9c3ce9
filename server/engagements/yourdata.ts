/** The engagements' part of export and erasure (server/yourdata/registry.ts): who is in them and their sessions (dates, lengths, what was moved or cancelled and why). */
import { scrub, type ExportContext, type Membership, type TableGroup } from '../yourdata/registry.ts';

export const ERASED_TITLE = 'Erased engagement';

async function engagementFile({ db, person }: ExportContext, m: Membership) {
	const e = await db.selectFrom('engagements').select(['id', 'kind', 'title', 'goals', 'planned_sessions', 'frequency', 'created_at']).where('id', '=', m.engagementId).executeTakeFirstOrThrow();
	const rows = await db.selectFrom('engagement_members').select(['user_id', 'role', 'joined_at']).where('engagement_id', '=', m.engagementId).execute();
	const members = rows.map((r) => ({ id: r.user_id, role: r.role, joined_at: r.joined_at, name: m.members.find((x) => x.userId === r.user_id)?.name ?? 'A former participant' }));
	// A coachee of a group reads the coach and themselves: whether the others may be named is the contract's to say, and the export stays on the safe side.
	const coachees = members.filter((x) => x.role === 'coachee');
	const shown = m.role === 'coach' || coachees.length <= 1 ? members : members.filter((x) => x.role === 'coach' || x.id === person.id);
	const sessions = await db
		.selectFrom('coaching_sessions')
		.select(['number', 'kind', 'scheduled_at', 'duration_minutes', 'status', 'started_at', 'ended_at', 'change_reason', 'changed_at', 'late_change'])
		.where('engagement_id', '=', m.engagementId)
		.orderBy('scheduled_at')
		.execute();
	return { path: `${m.folder}/engagement.json`, json: { ...e, yourRole: m.role, members: shown.map((x) => ({ name: x.name, role: x.role, joinedAt: x.joined_at })), sessions } };
}

export const engagementsGroup: TableGroup = {
	name: 'engagements',
	exports: ['engagements', 'engagement_members', 'coaching_sessions'],
	erases: ['engagements', 'engagement_members', 'coaching_sessions', 'invites'],
	sees: 'Coach and coachee: each engagement they are in, its members (a group coachee: the coach and themselves), its sessions with dates and changes. Sponsor: the title and the session dates.',

	async export(ctx) {
		const files = [];
		for (const m of ctx.memberships) files.push(await engagementFile(ctx, m));
		for (const s of ctx.sponsored) {
			const e = await ctx.db.selectFrom('engagements').select(['title', 'kind']).where('id', '=', s.engagementId).executeTakeFirstOrThrow();
			const sessions = await ctx.db.selectFrom('coaching_sessions').select(['kind', 'scheduled_at', 'status']).where('engagement_id', '=', s.engagementId).orderBy('scheduled_at').execute();
			files.push({ path: `${s.folder}/engagement.json`, json: { ...e, yourRole: 'sponsor', sessions } });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId }) {
		// What stays: that the engagement existed, who was in it and the sessions held (dates and lengths, for the coach's hours).
		await trx.updateTable('engagements').set({ title: ERASED_TITLE, goals: '' }).where('id', '=', engagementId).execute();
		await trx.updateTable('coaching_sessions').set({ change_reason: null }).where('engagement_id', '=', engagementId).execute();
		await trx.deleteFrom('coaching_sessions').where('engagement_id', '=', engagementId).where('status', '=', 'scheduled').execute();
		await trx.deleteFrom('invites').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		const words = [person.name, person.email];
		for (const m of staying) {
			const e = await trx.selectFrom('engagements').select(['title', 'goals']).where('id', '=', m.engagementId).executeTakeFirstOrThrow();
			await trx.updateTable('engagements').set({ title: scrub(e.title, words), goals: scrub(e.goals, words) }).where('id', '=', m.engagementId).execute();
		}
		await trx.deleteFrom('invites').where('created_by', '=', person.id).where('used_at', 'is', null).execute();
		// Their reason for moving or cancelling a session is their words; that it moved stays.
		await trx.updateTable('coaching_sessions').set({ change_reason: null }).where('changed_by', '=', person.id).execute();
	}
};
