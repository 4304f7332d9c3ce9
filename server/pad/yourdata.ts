/** The pad's part of export and erasure (server/yourdata/registry.ts): pads of sessions not yet summarised (ended ones are in their summaries), and every pad's stored history. */
import type { TableGroup } from '../yourdata/registry.ts';

export const padGroup: TableGroup = {
	name: 'pad',
	// pad_heads: a seq and a sealed time per document, exported with the pads' content and erased with it (PadStore.erase).
	exports: ['pad_updates', 'pad_snapshots', 'pad_heads'],
	erases: ['pad_updates', 'pad_snapshots', 'pad_heads'],
	sees: "Coach and coachee: the shared pad of each session not yet ended (notes, actions, learning points); the coach also their private notes. Ended sessions are in the summaries. Sponsor: none.",

	async export({ memberships, sources }) {
		const files = [];
		for (const m of memberships) {
			for (const s of m.sessions.filter((x) => x.status === 'scheduled' || x.status === 'live')) {
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

	async eraseAccount({ staying, after }) {
		// A coach who leaves takes their private notes with them; the shared pads stay the others' record.
		for (const m of staying.filter((x) => x.role === 'coach')) after.privatePads.push(...m.sessions.map((s) => s.id));
	}
};
