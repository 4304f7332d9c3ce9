/**
 * One reader's copy of a summary as Markdown (the download, the attachment
 * and the plain-text part of the email), made of parts that are rendered to
 * HTML one by one (renderings.ts), so the notes' own Markdown can never reach
 * into the sections after them (an unclosed code block, a lazy quote line).
 * The recorded copy is the same for every reader, so it states times in UTC;
 * the app page shows each reader's own zone, and each email starts with the
 * times in its recipient's zone (compose.ts).
 */
import { actualMinutes, goalOf, roleName, sessionTitle, type SummaryAction, type SummaryContract, type SummaryCopy } from './content.ts';
import { boundCopy, shortenedItemsLine, shortenedNotesLine, type Cut } from './bounds.ts';
import { escapeHtml } from './markdown-html.ts';

// Made once: creating a formatter costs milliseconds, and a summary formats a time per prompt asked.
const formatter = (parts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...parts });
const dateFormat = formatter({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = formatter({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const shortDateFormat = formatter({ day: 'numeric', month: 'short', year: 'numeric' });
export const dateUtc = (ms: number) => dateFormat.format(ms);
export const timeUtc = (ms: number) => `${timeFormat.format(ms)} UTC`;

/** Keeps a person's one-line text from turning into Markdown structure (headings, lists, links). */
function inline(text: string): string {
	return text.replace(/\s+/g, ' ').trim().replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/**
 * Notes' own headings go below the section they sit in (a "# Plan" in the
 * notes is not a peer of "Agreed actions"), and a code block the notes leave
 * open is closed, so it cannot swallow the sections after them.
 */
export function nestHeadings(markdown: string, under: number): string {
	let fence: string | null = null;
	const lines = markdown.split('\n').map((line) => {
		const mark = /^\s*(```|~~~)/.exec(line)?.[1];
		if (fence !== null) {
			if (mark === fence) fence = null;
			return line;
		}
		if (mark) {
			fence = mark;
			return line;
		}
		return line.replace(/^(#{1,6})(\s)/, (_, hashes: string, space: string) => '#'.repeat(Math.min(6, hashes.length + under)) + space);
	});
	if (fence !== null) lines.push(fence);
	return lines.join('\n');
}

const statusWord: Record<SummaryAction['status'], string> = { open: 'open', done: 'done', dropped: 'dropped' };

function actionLine(a: SummaryAction, contract?: SummaryContract | null): string {
	const box = a.status === 'done' ? '[x]' : '[ ]';
	const text = a.status === 'dropped' ? `~~${inline(a.text)}~~` : inline(a.text);
	const due = a.due ? ` · due ${a.due}` : '';
	const goal = goalOf(contract, a.goalId);
	return `- ${box} ${text} — ${inline(a.owner)}${due}${goal ? ` · goal: ${inline(goal.statement)}` : ''} · ${statusWord[a.status]}`;
}

/** "version 2", or why there is none (older summaries did not record it). */
export function contractLine(contract: SummaryContract | null | undefined): string | null {
	if (contract === undefined) return null;
	return contract ? `version ${contract.version}` : 'none in force';
}

export function summarySubject(copy: SummaryCopy): string {
	return `Session summary: ${sessionTitle(copy)} (${shortDateFormat.format(copy.session.endedAt)})`;
}

/** A stretch of the document rendered on its own; `section` marks the notes, which the page shows by themselves. */
export interface Part {
	lines: string[];
	section?: 'notes' | 'privateNotes';
}

export const partsMarkdown = (parts: Part[]) => parts.map((p) => p.lines.join('\n')).join('\n');

function notesParts(notes: string, under: number, cut: boolean, section: Part['section'], none: string): Part[] {
	const nested = nestHeadings(notes.trim(), under);
	if (!nested) return [{ lines: [none, ''] }];
	return [{ lines: [nested, ''], section }, ...(cut ? [{ lines: [shortenedNotesLine, ''], section }] : [])];
}

const leftOut = (n: number, what: string): string[] => (n ? ['', shortenedItemsLine(n, what)] : []);

/** The document as parts, from a copy already bounded by `boundCopy`. */
export function markdownParts(h: SummaryCopy, cut: Cut, meta: { version: number; correctionNote: string | null }): Part[] {
	const parts: Part[] = [];
	const add = (...lines: string[]) => parts.push({ lines: [...lines, ''] });
	const start = h.session.startedAt ?? h.session.scheduledAt;
	const minutes = actualMinutes(h);
	add(
		`# ${inline(sessionTitle(h))}`,
		'',
		...(meta.version > 1 ? [`*Corrected summary, version ${meta.version}${meta.correctionNote ? `: ${inline(meta.correctionNote)}` : ''}*`, ''] : []),
		`- **Engagement:** ${inline(h.engagement.title)} (${h.engagement.kind})`,
		`- **Date:** ${dateUtc(start)}`,
		`- **Started:** ${h.session.startedAt === null ? 'did not start' : timeUtc(h.session.startedAt)}`,
		`- **Duration:** ${minutes === null ? '—' : `${minutes} min`} (planned ${h.session.plannedMinutes} min)`,
		`- **Participants:** ${h.participants.map((p) => `${inline(p.name)} (${roleName(p.role, h.engagement.kind)})`).join(', ')}`,
		...(contractLine(h.contract) ? [`- **Contract:** ${contractLine(h.contract)}`] : [])
	);
	add('## Agreed actions', '', ...(h.shared.actions.length ? h.shared.actions.map((a) => actionLine(a, h.contract)) : ['No actions were agreed in this session.']), ...leftOut(cut.actions, 'actions'));
	if (h.shared.carriedOver.length) {
		const carried = h.shared.carriedOver.map((a) => {
			const change = a.statusBefore === a.status ? `still ${a.status}` : `${a.statusBefore} → ${a.status}`;
			const from = a.fromSession ? ` (from session ${a.fromSession})` : '';
			return `${actionLine(a).replace(/ · (open|done|dropped)$/, '')} · ${change}${from}`;
		});
		add('## From last time', '', ...carried, ...leftOut(cut.carriedOver, 'actions from last time'));
	}
	add('## Learning points', '', ...(h.shared.learningPoints.length ? h.shared.learningPoints.map((p) => `- ${inline(p)}`) : ['None recorded.']), ...leftOut(cut.learningPoints, 'learning points'));
	add('## Shared notes');
	parts.push(...notesParts(h.shared.notes, 2, cut.notes, 'notes', 'No shared notes.'));
	add(
		'## Next session',
		'',
		h.next ? `Session ${h.next.number}: ${dateUtc(h.next.scheduledAt)}, ${timeUtc(h.next.scheduledAt)}, ${h.next.durationMinutes} min.` : 'No next session is scheduled yet.'
	);
	if (h.coachOnly) {
		add('---', '', `## Coach only — not in the ${roleName('coachee', h.engagement.kind)}'s copy`, '', '### Private notes');
		parts.push(...notesParts(h.coachOnly.privateNotes, 3, cut.privateNotes, 'privateNotes', 'No private notes.'));
		add('### Prompts asked', '', ...(h.coachOnly.promptsAsked.length ? h.coachOnly.promptsAsked.map((p) => `- ${timeUtc(p.askedAt)}: ${inline(p.text)}`) : ['None marked asked.']));
	}
	return parts;
}

/** One reader's copy as Markdown, each section within its bound. */
export function renderMarkdown(copy: SummaryCopy, meta: { version: number; correctionNote: string | null }): string {
	const shown = boundCopy(copy);
	return partsMarkdown(markdownParts(shown.copy, shown.cut, meta));
}

/** A complete HTML email around an already rendered body: simple, inline-styled, readable on a phone. */
export function renderHtmlEmail(bodyHtml: string, link: string | null): string {
	const open = link ? `<p><a href="${escapeHtml(link)}">Open this summary in Confidante</a></p>` : '';
	return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><style>h1{font-size:1.45em;margin:0 0 .6em}h2{font-size:1.15em;margin:1.4em 0 .4em}h3,h4{font-size:1em}</style></head><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#1d2622;max-width:40rem;margin:0 auto;padding:1rem">${bodyHtml}${open}</body></html>`;
}
