/** The prompts' part of export and erasure (server/yourdata/registry.ts): the coach's own prompts, favourites and the prompts marked asked in sessions. */
import type { TableGroup } from '../yourdata/registry.ts';

export const promptsGroup: TableGroup = {
	name: 'prompts',
	exports: ['custom_prompts', 'prompt_favourites', 'session_prompts_asked'],
	erases: ['custom_prompts', 'prompt_favourites', 'session_prompts_asked'],
	sees: 'Coach: the prompts they wrote, their favourites, and the prompts marked asked in their sessions. Coachee and sponsor: none (prompts are the coach\'s).',

	async export({ db, person, memberships }) {
		const written = await db.selectFrom('custom_prompts').select(['text', 'phase', 'themes', 'mentoring', 'created_at', 'updated_at']).where('coach_id', '=', person.id).execute();
		const favourites = await db.selectFrom('prompt_favourites').select(['prompt_id', 'created_at']).where('coach_id', '=', person.id).execute();
		const files = [];
		if (written.length || favourites.length) files.push({ path: 'prompts/your-prompts.json', json: { written: written.map((p) => ({ ...p, themes: JSON.parse(p.themes) as unknown })), favourites } });
		for (const m of memberships.filter((x) => x.role === 'coach')) {
			if (m.sessions.length === 0) continue;
			const rows = await db.selectFrom('session_prompts_asked').select(['session_id', 'text', 'phase', 'asked_at']).where('session_id', 'in', m.sessions.map((s) => s.id)).execute();
			const asked = rows.map(({ session_id: id, ...p }) => ({ session: m.sessions.find((s) => s.id === id)?.number, ...p }));
			if (asked.length) files.push({ path: `${m.folder}/prompts-asked.json`, json: asked });
		}
		return files;
	},

	async eraseEngagement({ trx, sessionIds }) {
		if (sessionIds.length) await trx.deleteFrom('session_prompts_asked').where('session_id', 'in', sessionIds).execute();
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('custom_prompts').where('coach_id', '=', person.id).execute();
		await trx.deleteFrom('prompt_favourites').where('coach_id', '=', person.id).execute();
		await trx.deleteFrom('session_prompts_asked').where('asked_by', '=', person.id).execute();
	}
};
