/**
 * A session as a calendar event for one reader: who the file may name, the
 * title, the join link. Each recipient's copy names the organizer (the coach)
 * and that recipient only, so in a group no coachee's address reaches another;
 * the coach's copy names every coachee, whom the coach knows already.
 */
import type { CoachingSessionRow, EngagementKind } from '../store/index.ts';
import type { Member } from '../engagements/index.ts';
import { sessionName } from '../../shared/sessions.ts';
import type { Person, SessionEvent } from './ics.ts';

export function visiblePeople(members: Pick<Member, 'userId' | 'name' | 'email' | 'role'>[], readerId: string): { organizer: Person | null; attendees: Person[] } {
	const person = (m: Pick<Member, 'name' | 'email'>): Person => ({ name: m.name, email: m.email });
	const coach = members.find((m) => m.role === 'coach');
	const reader = members.find((m) => m.userId === readerId);
	const coachees = members.filter((m) => m.role !== 'coach');
	const attendees = reader?.role === 'coach' ? coachees : coachees.filter((m) => m.userId === readerId);
	return { organizer: coach ? person(coach) : null, attendees: attendees.map(person) };
}

export interface EventEngagement {
	title: string;
	kind: EngagementKind;
	plannedSessions: number | null;
}

export function sessionTitle(session: Pick<CoachingSessionRow, 'kind' | 'number'>, engagement: EventEngagement): string {
	return `${engagement.title}: ${sessionName(session, engagement.plannedSessions)}`;
}

export function sessionEvent(
	session: Pick<CoachingSessionRow, 'id' | 'kind' | 'number' | 'scheduled_at' | 'duration_minutes' | 'sequence' | 'status'>,
	engagement: EventEngagement,
	people: { organizer: Person | null; attendees: Person[] },
	origin: string | undefined
): SessionEvent {
	const what = session.kind === 'introductory' ? 'Introductory meeting' : `${engagement.kind === 'mentoring' ? 'Mentoring' : 'Coaching'} session`;
	return {
		sessionId: session.id,
		sequence: session.sequence,
		start: session.scheduled_at,
		durationMinutes: session.duration_minutes,
		title: sessionTitle(session, engagement),
		description: `${what} in Confidante.`,
		url: origin ? `${origin}/sessions/${session.id}` : null,
		cancelled: session.status === 'cancelled',
		organizer: people.organizer,
		attendees: people.attendees
	};
}
