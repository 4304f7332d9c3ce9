/**
 * The `session_invite` email: built at send time from the session as it is
 * then (so an invite queued before a move goes out with the new time and the
 * new SEQUENCE), with METHOD:REQUEST, or METHOD:CANCEL once cancelled. The
 * text gives the time in the reader's own zone and, for a move or a
 * cancellation, who made it and why.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { MailJobRow } from '../store/index.ts';
import { parseInviteSubject, type Engagements } from '../engagements/index.ts';
import type { Auth } from '../auth/index.ts';
import { formatWhen } from '../../shared/time.ts';
import { sessionCalendar } from './ics.ts';
import { sessionEvent, sessionTitle, visiblePeople } from './events.ts';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export interface InviteDeps {
	engagements: Pick<Engagements, 'sessionRecord' | 'members'>;
	auth: Pick<Auth, 'userTimeZone'>;
	origin: string | undefined;
}

export function inviteComposer(deps: InviteDeps) {
	return async (job: MailJobRow): Promise<Mail.Options> => {
		const subject = parseInviteSubject(job.subject_id);
		const record = subject && (await deps.engagements.sessionRecord(subject.sessionId));
		if (!record) throw permanent('The session of this invite no longer exists.');
		const { session, engagement } = record;
		const members = await deps.engagements.members(engagement.id);
		const reader = members.find((m) => m.userId === job.user_id);
		if (!reader) throw permanent('The recipient is no longer part of this engagement.');
		const zone = await deps.auth.userTimeZone(job.user_id);
		const e = { title: engagement.title, kind: engagement.kind, plannedSessions: engagement.planned_sessions };
		const event = sessionEvent(session, e, visiblePeople(members, job.user_id), deps.origin);
		const cancelled = session.status === 'cancelled';
		const method = cancelled ? 'CANCEL' : 'REQUEST';
		const ics = sessionCalendar(method, [event]);
		const title = sessionTitle(session, e);
		const when = `${formatWhen(session.scheduled_at, zone)} (${session.duration_minutes} min)`;
		const changer = session.changed_by === job.user_id ? 'You' : (members.find((m) => m.userId === session.changed_by)?.name ?? 'Someone no longer in the engagement');
		const reason = session.change_reason ? `Reason: ${session.change_reason}\n` : '';
		const link = event.url ? `Join here: ${event.url}\n` : '';
		let subjectLine: string;
		let text: string;
		if (cancelled) {
			subjectLine = `Cancelled: ${title}, ${formatWhen(session.scheduled_at, zone)}`;
			const late = session.late_change ? "This came inside the contract's notice: it is recorded as a late cancellation and counts as one of the contract's sessions.\n" : '';
			text = `${changer} cancelled ${title}, which was booked for ${when}.\n${reason}${late}`;
		} else if (session.sequence > 0) {
			subjectLine = `Moved: ${title}, now ${formatWhen(session.scheduled_at, zone)}`;
			const late = session.late_change ? "This move came inside the contract's notice and is recorded as late.\n" : '';
			text = `${changer} moved ${title}. It is now ${when}.\n${reason}${late}\n${link}`;
		} else {
			subjectLine = `Invitation: ${title}, ${formatWhen(session.scheduled_at, zone)}`;
			text = `${title} is booked for ${when}.\n\n${link}`;
		}
		text += '\nThe attached invite updates your calendar. Times are shown in your time zone; change it in Confidante under Settings.\n';
		return { subject: subjectLine, text, icalEvent: { filename: cancelled ? 'cancel.ics' : 'invite.ics', method, content: ics } };
	};
}
