/**
 * A summary version's copies, rendered once. A version is immutable, so its
 * coach's and coachee's copies are rendered (each section within its bound,
 * in the render worker thread) when it is recorded, stored in
 * the same transaction, and then only read: every page view, download and
 * email reuses them. A version recorded before renderings existed is
 * rendered on its first read, the same way, and stored.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../log/index.ts';
import type { Database, EngagementRole, SummaryRenderingRow, SummaryRow } from '../store/index.ts';
import { running } from '../health/index.ts';
import type { SummaryContent } from './content.ts';
import type { CopyKey, Rendering, RenderMeta, Shown } from './copies.ts';
import type { CopyRenderer } from './copy-renderer.ts';

export type { Rendering, RenderMeta, Shown } from './copies.ts';

function toRow(summaryId: string, r: Rendering, now: number): SummaryRenderingRow {
	return {
		summary_id: summaryId,
		role: r.role,
		markdown: r.markdown,
		html: r.html,
		notes_html: r.notesHtml,
		private_notes_html: r.privateNotesHtml,
		shown: JSON.stringify(r.shown),
		rendered_with: r.renderedWith,
		created_at: now
	};
}

function fromRow(row: SummaryRenderingRow): Rendering {
	return {
		role: row.role as CopyKey,
		markdown: row.markdown,
		html: row.html,
		notesHtml: row.notes_html,
		privateNotesHtml: row.private_notes_html,
		shown: JSON.parse(row.shown) as Shown,
		renderedWith: row.rendered_with
	};
}

type VersionRef = Pick<SummaryRow, 'id' | 'session_id' | 'version' | 'correction_note'>;

export function createRenderings(deps: { db: Kysely<Database>; renderer: CopyRenderer; log: Logger }) {
	const { db, renderer } = deps;
	// Two readers opening an old summary at once share one rendering.
	const late = new Map<string, Promise<Rendering[]>>();

	async function store(trx: Kysely<Database>, summaryId: string, list: Rendering[]): Promise<void> {
		const now = Date.now();
		await trx
			.insertInto('summary_renderings')
			.values(list.map((r) => toRow(summaryId, r, now)))
			.onConflict((oc) => oc.columns(['summary_id', 'role']).doNothing())
			.execute();
	}

	function renderLate(v: VersionRef): Promise<Rendering[]> {
		const existing = late.get(v.id);
		if (existing) return existing;
		const p = (async () => {
			const row = await db.selectFrom('summaries').select('content').where('id', '=', v.id).executeTakeFirstOrThrow();
			// The stored JSON goes to the worker as it is: parsing megabytes is work for that thread too.
			const list = await renderer.render(row.content, { version: v.version, correctionNote: v.correction_note }, { session: v.session_id, summary: v.id });
			await store(db, v.id, list);
			deps.log.info({ session: v.session_id, summary: v.id }, 'rendered a summary recorded before renderings were stored');
			return list;
		})().finally(() => late.delete(v.id));
		late.set(v.id, p);
		return p;
	}

	return {
		/** Both copies of a version about to be recorded, for `store` in the recording transaction. */
		render: (content: SummaryContent | string, meta: RenderMeta, session: string) => renderer.render(content, meta, { session }),
		store,
		/**
		 * A reader's copy of a version, from the store (rendered and stored first
		 * if it never was): a coachee's own copy when the group shares less
		 * (`readerId`), else the coachees' copy.
		 */
		async read(v: VersionRef, role: EngagementRole, readerId?: string): Promise<Rendering> {
			const keys: CopyKey[] = role === 'coachee' && readerId ? [`coachee:${readerId}`, 'coachee'] : [role];
			const rows = await db.selectFrom('summary_renderings').selectAll().where('summary_id', '=', v.id).where('role', 'in', keys).execute();
			const row = keys.map((k) => rows.find((r) => r.role === k)).find((r) => r !== undefined);
			if (row) return running('summary render', () => fromRow(row), { session: v.session_id, summary: v.id });
			const late = await renderLate(v);
			return keys.map((k) => late.find((r) => r.role === k)).find((r) => r !== undefined)!;
		},
		close: () => renderer.close()
	};
}

export type Renderings = ReturnType<typeof createRenderings>;
