/**
 * The summary email for one recipient: their copy (the coach's has the
 * coach-only part, a coachee's never does) as HTML and plain text, the
 * Markdown attached, and an .ics for the next session when one is booked.
 * The copy is the one rendered when the version was recorded.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Logger } from '../log/index.ts';
import { sessionCalendar, sessionEvent, visiblePeople } from '../calendar/index.ts';
import type { SummaryCopy } from './content.ts';
import { renderHtmlEmail, summarySubject } from './render.ts';
import type { Renderings } from './renderings.ts';

export function markdownFileName(copy: SummaryCopy, version: number): string {
	const slug = copy.engagement.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'engagement';
	return `${slug}-session-${copy.session.number}${version > 1 ? `-v${version}` : ''}.md`;
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

export function summaryComposer(deps: { db: Kysely<Database>; engagements: Pick<Engagements, 'membership' | 'members' | 'sessionRecord'>; log: Logger; origin: string | undefined; renderings: Renderings }) {
	const { db } = deps;
	return async (job: MailJobRow): Promise<Mail.Options> => {
		const row = await db
			.selectFrom('summaries')
			.select(['id', 'session_id', 'engagement_id', 'version', 'correction_note'])
			.where('id', '=', job.subject_id)
			.executeTakeFirstOrThrow();
		// The copy follows the recipient's role now, never a role stored with the job.
		const member = await deps.engagements.membership(job.user_id, { engagementId: row.engagement_id });
		if (!member) throw Object.assign(new Error('The recipient is no longer part of this engagement.'), { code: 'EMESSAGE' });
		// Rendered once when the version was recorded; every recipient's email reuses it.
		const rendering = await deps.renderings.read(row, member.role);
		const { copy } = rendering.shown;
		const markdown = rendering.markdown;
		const ics = await nextSessionIcs(copy, job.user_id, deps.engagements, deps.origin);
		const link = deps.origin ? `${deps.origin}/summaries/${row.id}` : null;
		return {
			subject: summarySubject(copy) + (row.version > 1 ? ' — corrected' : ''),
			text: link ? `${markdown}\n\nOpen it in Confidante: ${link}\n` : markdown,
			html: renderHtmlEmail(rendering.html, link),
			attachments: [{ filename: markdownFileName(copy, row.version), content: markdown, contentType: 'text/markdown; charset=utf-8' }],
			...(ics ? { icalEvent: { filename: 'next-session.ics', method: 'PUBLISH', content: ics } } : {})
		};
	};
}
