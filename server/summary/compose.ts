/**
 * The summary email for one recipient: their copy (the coach's has the
 * coach-only part, a coachee's never does) as HTML and plain text, the
 * Markdown attached, and an .ics for the next session when one is booked.
 * The copy is the one rendered when the version was recorded.
 */
import type Mail from 'nodemailer/lib/mailer';
import { createEvent, type EventAttributes } from 'ics';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Logger } from '../log/index.ts';
import type { SummaryCopy } from './content.ts';
import { renderHtmlEmail, summarySubject } from './render.ts';
import type { Renderings } from './renderings.ts';

export function markdownFileName(copy: SummaryCopy, version: number): string {
	const slug = copy.engagement.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'engagement';
	return `${slug}-session-${copy.session.number}${version > 1 ? `-v${version}` : ''}.md`;
}

/** The next session as a calendar entry, or null (logged) if it cannot be made. */
export function nextSessionIcs(copy: SummaryCopy, people: { name: string; email: string; role: string }[], log: Logger): string | null {
	const next = copy.next;
	if (!next) return null;
	const coach = people.find((p) => p.role === 'coach');
	const base: EventAttributes = {
		start: next.scheduledAt,
		startInputType: 'utc',
		startOutputType: 'utc',
		duration: { minutes: next.durationMinutes },
		title: `${copy.engagement.title}: session ${next.number}`,
		description: `${copy.engagement.kind === 'mentoring' ? 'Mentoring' : 'Coaching'} session ${next.number}, booked in Confidante.`,
		uid: `${next.id}@confidante`,
		productId: 'confidante',
		method: 'PUBLISH',
		status: 'CONFIRMED'
	};
	const withPeople: EventAttributes = {
		...base,
		...(coach ? { organizer: { name: coach.name, email: coach.email } } : {}),
		attendees: people.filter((p) => p.role !== 'coach').map((p) => ({ name: p.name, email: p.email, rsvp: false, role: 'REQ-PARTICIPANT' as const }))
	};
	// An address the calendar format refuses must not cost the invite itself.
	for (const attrs of [withPeople, base]) {
		const r = createEvent(attrs);
		if (!r.error && r.value) return r.value;
		log.warn({ err: r.error, session: next.id }, 'could not build the calendar invite');
	}
	return null;
}

export function summaryComposer(deps: { db: Kysely<Database>; engagements: Pick<Engagements, 'membership' | 'members' | 'roomAccess'>; log: Logger; origin: string | undefined; renderings: Renderings }) {
	const { db, log } = deps;
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
		const people = await deps.engagements.members(row.engagement_id);
		const ics = nextSessionIcs(copy, people, log);
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
