/** The summaries' part of export and erasure (server/yourdata/registry.ts): the recorded versions (content and the pad's Yjs states) and each reader's rendered copy. */
import { ids, scrub, type TableGroup } from '../yourdata/registry.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../store/index.ts';

const TEXT_COLUMNS = ['markdown', 'html', 'notes_html', 'shown'] as const;

async function scrubRenderings(trx: Transaction<Database>, summaryIds: string[], words: string[]) {
	if (summaryIds.length === 0) return;
	const rows = await trx.selectFrom('summary_renderings').selectAll().where('summary_id', 'in', summaryIds).execute();
	for (const r of rows) {
		const set: Record<string, string | null> = {};
		for (const c of TEXT_COLUMNS) if (scrub(r[c], words) !== r[c]) set[c] = scrub(r[c], words);
		if (r.private_notes_html && scrub(r.private_notes_html, words) !== r.private_notes_html) set.private_notes_html = scrub(r.private_notes_html, words);
		if (Object.keys(set).length) await trx.updateTable('summary_renderings').set(set).where('summary_id', '=', r.summary_id).where('role', '=', r.role).execute();
	}
}

export const summariesGroup: TableGroup = {
	name: 'summaries',
	exports: ['summaries', 'summary_renderings'],
	erases: ['summaries', 'summary_renderings'],
	sees: "Each reader: their own copy of every summary version, as Markdown (the coach's with their private notes and prompts asked; a coachee's without them, never filtered from the coach's). Sponsor: the three-way meetings' summaries, the coachee's copy.",

	async export({ db, person, memberships, sponsored, sources }) {
		const files = [];
		for (const m of [...memberships, ...sponsored]) {
			const rows = await db.selectFrom('summaries').select(['id']).where('engagement_id', '=', m.engagementId).orderBy('created_at').execute();
			for (const r of rows) {
				const md = await sources.summaryMarkdown(r.id, person.id);
				if (md) files.push({ path: `${m.folder}/summaries/${md.fileName}`, text: md.text });
			}
		}
		return files;
	},

	async subjectsOf(trx, engagementId) {
		return (await trx.selectFrom('summaries').select('id').where('engagement_id', '=', engagementId).execute()).map((s) => s.id);
	},

	async eraseEngagement({ trx, engagementId }) {
		const summaryIds = (await trx.selectFrom('summaries').select('id').where('engagement_id', '=', engagementId).execute()).map((s) => s.id);
		if (summaryIds.length) await trx.deleteFrom('summary_renderings').where('summary_id', 'in', summaryIds).execute();
		await trx.deleteFrom('summaries').where('engagement_id', '=', engagementId).execute();
	},

	async eraseAccount({ trx, person, staying }) {
		if (staying.length === 0) return;
		const words = [person.name, person.email];
		const rows = await trx.selectFrom('summaries').select(['id', 'content', 'engagement_id']).where('engagement_id', 'in', ids(staying)).execute();
		const coachOf = new Set(staying.filter((m) => m.role === 'coach').map((m) => m.engagementId));
		for (const r of rows) {
			const content = JSON.parse(scrub(r.content, words)) as { coachOnly?: unknown };
			// A coach who leaves takes their private notes and prompts with them: nobody else ever read them.
			if (coachOf.has(r.engagement_id)) content.coachOnly = { privateNotes: '', promptsAsked: [] };
			await trx.updateTable('summaries').set({ content: JSON.stringify(content), ...(coachOf.has(r.engagement_id) ? { private_state: null } : {}) }).where('id', '=', r.id).execute();
			if (coachOf.has(r.engagement_id)) await trx.deleteFrom('summary_renderings').where('summary_id', '=', r.id).where('role', '=', 'coach').execute();
		}
		const summaryIds = rows.map((r) => r.id);
		if (summaryIds.length) await trx.deleteFrom('summary_renderings').where('summary_id', 'in', summaryIds).where('role', '=', `coachee:${person.id}`).execute();
		await scrubRenderings(trx, summaryIds, words);
	}
};
