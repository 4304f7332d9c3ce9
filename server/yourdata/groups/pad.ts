/** The pads of sessions not yet summarised (ended sessions are in their summaries), and every pad's stored history for erasure. */
import type { TableGroup } from '../registry.ts';

export const padGroup: TableGroup = {
	name: 'pad',
	exports: ['pad_updates', 'pad_snapshots'],
	erases: ['pad_updates', 'pad_snapshots'],
	sees: "Coach and coachee: the shared pad of each session not yet ended (notes, actions, learning points); the coach also their private notes. Ended sessions are in the summaries. Sponsor: none.",

	async export({ db, memberships, sources }) {
		const files = [];
		for (const m of memberships) {
			const open = await db.selectFrom('coaching_sessions').select(['id', 'number', 'kind']).where('engagement_id', '=', m.engagementId).where('status', 'in', ['scheduled', 'live']).orderBy('scheduled_at').execute();
			for (const s of open) {
				const pad = await sources.padContent(s.id, m.role === 'coach' ? 'coach' : 'coachee');
				if (!pad) continue;
				const name = s.kind === 'session' ? `session-${s.number}` : `${s.kind}-${s.id}`;
				const text = [`# Pad: ${name}`, '', '## Notes', '', pad.notesMarkdown, ...(m.role === 'coach' ? ['', '## Your private notes', '', pad.privateNotesMarkdown] : [])].join('\n');
				files.push({ path: `${m.folder}/pads/${name}.md`, text }, { path: `${m.folder}/pads/${name}.json`, json: { actions: pad.actions, learningPoints: pad.learningPoints } });
			}
		}
		return files;
	},

	async eraseEngagement({ sessionIds, after }) {
		// The documents live outside the transaction (the journal files on SQLite): they go once it commits.
		after.padSessions.push(...sessionIds);
	},

	async eraseAccount({ trx, staying, after }) {
		const coached = staying.filter((m) => m.role === 'coach').map((m) => m.engagementId);
		if (coached.length === 0) return;
		const sessions = await trx.selectFrom('coaching_sessions').select('id').where('engagement_id', 'in', coached).execute();
		after.privatePads.push(...sessions.map((s) => s.id));
	}
};
