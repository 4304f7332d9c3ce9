/**
 * Both readers' copies of a summary version, rendered: each section within
 * its bound, the Markdown document, and its parts as HTML. Pure and
 * synchronous; it runs in the render worker (render-worker.ts), and on the
 * event loop only as the plain-text fallback, whose cost is a single pass.
 */
import type { EngagementRole } from '../store/index.ts';
import { copyFor, type SummaryContent, type SummaryCopy } from './content.ts';
import { boundCopy, type Cut } from './bounds.ts';
import { markdownParts, partsMarkdown } from './render.ts';

export interface RenderMeta {
	version: number;
	correctionNote: string | null;
}

/** How the HTML was made: by the Markdown renderer, or the plain-text fallback. */
export type RenderedWith = 'markdown' | 'plain-text';

/** The copy as a reader is shown it: each section within its bound, and what was cut. */
export interface Shown {
	copy: SummaryCopy;
	cut: Cut;
}

/**
 * Whose copy a rendering is: the coach's, the coachees' (all the same), or in
 * a group whose contract holds something back, one coachee's (`coachee:<id>`).
 */
export type CopyKey = EngagementRole | `coachee:${string}`;

export interface Rendering {
	role: CopyKey;
	markdown: string;
	/** The email's body HTML. */
	html: string;
	notesHtml: string;
	privateNotesHtml: string | null;
	shown: Shown;
	renderedWith: RenderedWith;
}

/** The copies a version needs: coach and coachee, and each coachee's own where the group shares less. */
function copyKeys(content: SummaryContent): CopyKey[] {
	const own = content.sharing ? content.participants.filter((p) => p.role === 'coachee').map((p) => `coachee:${p.userId}` as const) : [];
	return ['coach', 'coachee', ...own];
}

/** The content, from the object or from its JSON as stored (summaries.content). */
export const contentOf = (c: SummaryContent | string): SummaryContent => (typeof c === 'string' ? (JSON.parse(c) as SummaryContent) : c);

export function renderCopies(content: SummaryContent, meta: RenderMeta, toHtml: (markdown: string) => string, renderedWith: RenderedWith): Rendering[] {
	// The copies share most parts (the shared notes above all): each distinct part is rendered once.
	const rendered = new Map<string, string>();
	const htmlOf = (lines: string[]) => {
		const md = lines.join('\n');
		let html = rendered.get(md);
		if (html === undefined) rendered.set(md, (html = toHtml(md)));
		return html;
	};
	return copyKeys(content).map((role) => {
		const [who, readerId] = role.split(':') as [EngagementRole, string | undefined];
		const shown = boundCopy(copyFor(content, who, readerId));
		const parts = markdownParts(shown.copy, shown.cut, meta);
		const section = (s: 'notes' | 'privateNotes') => parts.filter((p) => p.section === s).map((p) => htmlOf(p.lines)).join('');
		return {
			role,
			markdown: partsMarkdown(parts),
			html: parts.map((p) => htmlOf(p.lines)).join(''),
			notesHtml: section('notes'),
			privateNotesHtml: shown.copy.coachOnly ? section('privateNotes') : null,
			shown,
			renderedWith
		};
	});
}
