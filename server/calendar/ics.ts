/**
 * iCalendar files for sessions, built with ical-generator, which escapes text
 * (\n in values, RFC 6868 ^n in parameters such as CN) so a line break in a
 * name or title can never start a property of its own; names and titles are
 * also made single-line where people type them (shared/forms).
 * Every session is one event with a stable UID; its SEQUENCE comes from the
 * session row and goes up with each move and with the cancellation.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export type CalendarMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export interface Person {
	name: string;
	email: string;
}

export interface SessionEvent {
	sessionId: string;
	sequence: number;
	start: number;
	durationMinutes: number;
	title: string;
	description: string;
	/** The session's page, where the call is joined. */
	url: string | null;
	cancelled: boolean;
	organizer: Person | null;
	/** Only the people this file may show: each recipient's copy names the organizer and that recipient. */
	attendees: Person[];
}

/** The one UID of a session, in every invite, update, cancellation and feed. */
export const sessionUid = (sessionId: string): string => `${sessionId}@confidante`;

const methods: Record<CalendarMethod, ICalCalendarMethod> = {
	REQUEST: ICalCalendarMethod.REQUEST,
	CANCEL: ICalCalendarMethod.CANCEL,
	PUBLISH: ICalCalendarMethod.PUBLISH
};

/** A calendar of these events; REQUEST and CANCEL carry one event each, a feed (PUBLISH) any number. */
export function sessionCalendar(method: CalendarMethod, events: SessionEvent[], options: { name?: string; now?: number } = {}): string {
	const cal = ical({ prodId: { company: 'Confidante', product: 'Confidante', language: 'EN' }, method: methods[method], ...(options.name ? { name: options.name } : {}) });
	const stamp = new Date(options.now ?? Date.now());
	for (const e of events) {
		const event = cal.createEvent({
			id: sessionUid(e.sessionId),
			sequence: e.sequence,
			stamp,
			start: new Date(e.start),
			end: new Date(e.start + e.durationMinutes * 60_000),
			summary: e.title,
			description: e.url ? `${e.description}\n\nJoin: ${e.url}` : e.description,
			url: e.url,
			status: e.cancelled || method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
			...(e.organizer ? { organizer: { name: e.organizer.name, email: e.organizer.email } } : {})
		});
		for (const a of e.attendees) {
			event.createAttendee({
				name: a.name,
				email: a.email,
				role: ICalAttendeeRole.REQ,
				status: ICalAttendeeStatus.NEEDSACTION,
				rsvp: method === 'REQUEST'
			});
		}
	}
	return cal.toString();
}
