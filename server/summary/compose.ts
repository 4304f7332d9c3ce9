/**
 * The summary email for one recipient: their copy (the coach's has the
 * coach-only part, a coachee's never does) as HTML and plain text, the
 * Markdown attached, and an .ics for the next session when one is booked.
 * The copy is the one rendered when the version was recorded.
 */
import { fileSlug } from '../../shared/slug.ts';
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Logger } from '../log/index.ts';
import { sessionCalendar, sessionEvent, visiblePeople } from '../calendar/index.ts';
import type { SummaryCopy } from './content.ts';
import { renderHtmlEmail, summarySubject } from './render.ts';
import { escapeHtml } from './markdown-html.ts';
import { formatWhen } from '../../shared/time.ts';
import { feedbackAsk } from '../../shared/feedback/index.ts';
import type { Renderings } from './renderings.ts';

export function markdownFileName(copy: SummaryCopy, version: number): string {
	return `${fileSlug(copy.engagement.title)}-session-${copy.session.number}${version > 1 ? `-v${version}` : ''}.md`;
}

/**
 * The next session as a calendar entry (METHOD:PUBLISH), from the session as
 * it is when the email is sent, so a move since the summary shows; the file
 * names the coach and this reader only (the calendar feature's rule).
 */
export async function nextSessionIcs(copy: SummaryCopy, readerId: string, engagements: Pick<Engagements, 'sessionRecord' | 'members'>, origin: string | undefined): Promise<string | null> {
	if (!copy.next) return null;
	const record = await engagements.sessionRecord(copy.next.id);
	if (!record || record.session.status !== 'scheduled') return null;
	const { session, engagement } = record;
	const people = visiblePeople(await engagements.members(engagement.id), readerId);
	return sessionCalendar('PUBLISH', [sessionEvent(session, { title: engagement.title, kind: engagement.kind, plannedSessions: engagement.planned_sessions }, people, origin)]);
}

/**
 * The summary's times in the reader's own zone, for the top of the email: the
 * recorded copy (and its Markdown file) states them in UTC, the same for everyone.
 */
export function readerTimes(copy: SummaryCopy, zone: string): string {
	const started = copy.session.startedAt ?? copy.session.scheduledAt;
	const lines = [`In your time zone (${zone}): the session was ${formatWhen(started, zone)}.`];
	if (copy.next) lines.push(`Next session: ${formatWhen(copy.next.scheduledAt, zone)}, ${copy.next.durationMinutes} min.`);
	return lines.join(' ');
}

export function summaryComposer(deps: {
	db: Kysely<Database>;
	engagements: Pick<Engagements, 'membership' | 'members' | 'sessionRecord' | 'roomAccess'>;
	log: Logger;
	origin: string | undefined;
	renderings: Renderings;
	zoneOf: (userId: string) => Promise<string>;
}) {
	const { db } = deps;
	return async (job: MailJobRow): Promise<Mail.Options> => {
		const row = await db
			.selectFrom('summaries')
			.select(['id', 'session_id', 'engagement_id', 'version', 'correction_note'])
			.where('id', '=', job.subject_id)
			.executeTakeFirstOrThrow();
		// The copy follows the recipient's role now, never a role stored with the job.
		const member = await deps.engagements.membership(job.user_id, { engagementId: row.engagement_id });
		// A sponsor gets a three-way meeting's summary, in the coachee's copy; any other session's never.
		const sponsor = !member && (await deps.engagements.roomAccess(row.session_id, job.user_id))?.role === 'sponsor';
		if (!member && !sponsor) throw Object.assign(new Error('The recipient is no longer part of this engagement.'), { code: 'EMESSAGE' });
		// Rendered once when the version was recorded; every recipient's email reuses it.
		const rendering = await deps.renderings.read(row, member ? member.role : 'coachee', member ? job.user_id : undefined);
		const { copy } = rendering.shown;
		const markdown = rendering.markdown;
		const ics = await nextSessionIcs(copy, job.user_id, deps.engagements, deps.origin);
		const local = readerTimes(copy, await deps.zoneOf(job.user_id));
		const link = deps.origin ? `${deps.origin}/summaries/${row.id}` : null;
		// Feedback is asked for beside the summary, never written into it: the recorded copy stays as it was.
		const ask = member ? feedbackAsk(member.role === 'coach' ? 'coach' : 'coachee') : null;
		const feedbackLink = `${deps.origin ?? ''}/summaries/${row.id}#feedback`;
		const askText = ask ? `${ask}: ${feedbackLink}\n\n` : '';
		const askHtml = ask ? `<p><a href="${escapeHtml(feedbackLink)}">${escapeHtml(ask)}</a></p>` : '';
		return {
			subject: summarySubject(copy) + (row.version > 1 ? ' — corrected' : ''),
			text: `${local}\n\n${askText}${markdown}${link ? `\n\nOpen it in Confidante: ${link}\n` : ''}`,
			html: renderHtmlEmail(`<p style="color:#4d5a55">${escapeHtml(local)}</p>${askHtml}${rendering.html}`, link),
			attachments: [{ filename: markdownFileName(copy, row.version), content: markdown, contentType: 'text/markdown; charset=utf-8' }],
			...(ics ? { icalEvent: { filename: 'next-session.ics', method: 'PUBLISH', content: ics } } : {})
		};
	};
}
