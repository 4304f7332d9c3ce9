/**
 * Renders one reader's copy of a summary as Markdown (the download, the
 * attachment and the plain-text part of the email) and as HTML (the email).
 * Emails and files cannot know the reader's time zone, so they state times in
 * UTC; the app page shows local times instead.
 */
import { Marked, type Tokens } from 'marked';
import { actualMinutes, roleName, sessionTitle, type SummaryAction, type SummaryCopy } from './content.ts';

const utc = (ms: number, parts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...parts }).format(ms);
export const dateUtc = (ms: number) => utc(ms, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
export const timeUtc = (ms: number) => `${utc(ms, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })} UTC`;

/** Keeps a person's one-line text from turning into Markdown structure (headings, lists, links). */
function inline(text: string): string {
	return text.replace(/\s+/g, ' ').trim().replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

/** Notes' own headings go below the section they sit in (a "# Plan" in the notes is not a peer of "Agreed actions"). */
export function nestHeadings(markdown: string, under: number): string {
	let fenced = false;
	return markdown
		.split('\n')
		.map((line) => {
			if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
			if (fenced) return line;
			return line.replace(/^(#{1,6})(\s)/, (_, hashes: string, space: string) => '#'.repeat(Math.min(6, hashes.length + under)) + space);
		})
		.join('\n');
}

const statusWord: Record<SummaryAction['status'], string> = { open: 'open', done: 'done', dropped: 'dropped' };

function actionLine(a: SummaryAction): string {
	const box = a.status === 'done' ? '[x]' : '[ ]';
	const text = a.status === 'dropped' ? `~~${inline(a.text)}~~` : inline(a.text);
	const due = a.due ? ` · due ${a.due}` : '';
	return `- ${box} ${text} — ${inline(a.owner)}${due} · ${statusWord[a.status]}`;
}

export function summarySubject(copy: SummaryCopy): string {
	return `Session summary: ${sessionTitle(copy)} (${utc(copy.session.endedAt, { day: 'numeric', month: 'short', year: 'numeric' })})`;
}

export function renderMarkdown(copy: SummaryCopy, meta: { version: number; correctionNote: string | null }): string {
	const h = copy;
	const out: string[] = [];
	out.push(`# ${inline(sessionTitle(h))}`, '');
	if (meta.version > 1) out.push(`*Corrected summary, version ${meta.version}${meta.correctionNote ? `: ${inline(meta.correctionNote)}` : ''}*`, '');
	const start = h.session.startedAt ?? h.session.scheduledAt;
	const minutes = actualMinutes(h);
	out.push(
		`- **Engagement:** ${inline(h.engagement.title)} (${h.engagement.kind})`,
		`- **Date:** ${dateUtc(start)}`,
		`- **Started:** ${h.session.startedAt === null ? 'did not start' : timeUtc(h.session.startedAt)}`,
		`- **Duration:** ${minutes === null ? '—' : `${minutes} min`} (planned ${h.session.plannedMinutes} min)`,
		`- **Participants:** ${h.participants.map((p) => `${inline(p.name)} (${roleName(p.role, h.engagement.kind)})`).join(', ')}`,
		''
	);
	out.push('## Agreed actions', '');
	out.push(...(h.shared.actions.length ? h.shared.actions.map(actionLine) : ['No actions were agreed in this session.']), '');
	if (h.shared.carriedOver.length) {
		out.push('## From last time', '');
		for (const a of h.shared.carriedOver) {
			const change = a.statusBefore === a.status ? `still ${a.status}` : `${a.statusBefore} → ${a.status}`;
			const from = a.fromSession ? ` (from session ${a.fromSession})` : '';
			out.push(`${actionLine(a).replace(/ · (open|done|dropped)$/, '')} · ${change}${from}`);
		}
		out.push('');
	}
	out.push('## Learning points', '');
	out.push(...(h.shared.learningPoints.length ? h.shared.learningPoints.map((p) => `- ${inline(p)}`) : ['None recorded.']), '');
	out.push('## Shared notes', '', nestHeadings(h.shared.notes.trim(), 2) || 'No shared notes.', '');
	out.push('## Next session', '');
	out.push(
		h.next
			? `Session ${h.next.number}: ${dateUtc(h.next.scheduledAt)}, ${timeUtc(h.next.scheduledAt)}, ${h.next.durationMinutes} min.`
			: 'No next session is scheduled yet.',
		''
	);
	if (h.coachOnly) {
		out.push('---', '', `## Coach only — not in the ${roleName('coachee', h.engagement.kind)}'s copy`, '');
		out.push('### Private notes', '', nestHeadings(h.coachOnly.privateNotes.trim(), 3) || 'No private notes.', '');
		out.push('### Prompts asked', '');
		out.push(...(h.coachOnly.promptsAsked.length ? h.coachOnly.promptsAsked.map((p) => `- ${timeUtc(p.askedAt)}: ${inline(p.text)}`) : ['None marked asked.']), '');
	}
	return out.join('\n');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// People's notes are Markdown: raw HTML in them is shown as text, and only
// web and mail links become links, so a summary cannot carry a script or a
// javascript: link into a mail client or the app.
const safeMarked = new Marked({
	gfm: true,
	async: false,
	renderer: {
		html(token: Tokens.HTML | Tokens.Tag) {
			return escapeHtml(token.text);
		},
		link(token: Tokens.Link) {
			const text = this.parser.parseInline(token.tokens);
			return /^(https?:|mailto:)/i.test(token.href) ? `<a href="${escapeHtml(token.href)}">${text}</a>` : text;
		},
		image(token: Tokens.Image) {
			return escapeHtml(token.text);
		}
	}
});

export function markdownToHtml(markdown: string): string {
	return safeMarked.parse(markdown) as string;
}

/** A complete HTML email body: simple, inline-styled, readable on a phone. */
export function renderHtmlEmail(markdown: string, link: string | null): string {
	const body = markdownToHtml(markdown);
	const open = link ? `<p><a href="${escapeHtml(link)}">Open this summary in Confidante</a></p>` : '';
	return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><style>h1{font-size:1.45em;margin:0 0 .6em}h2{font-size:1.15em;margin:1.4em 0 .4em}h3,h4{font-size:1em}</style></head><body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#1d2622;max-width:40rem;margin:0 auto;padding:1rem">${body}${open}</body></html>`;
}
