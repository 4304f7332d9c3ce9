/**
 * The coaching domain's words, defined once for the server and the browser:
 * who people are in an engagement, what kind of engagement it is, where a
 * session stands, and how a role is named in coaching and in mentoring.
 */

/** The two sides of an engagement; a mentor is stored as `coach`, a mentee as `coachee`. */
export const ROLES = ['coach', 'coachee'] as const;
export type EngagementRole = (typeof ROLES)[number];

/**
 * Who can be in a session's room: the engagement's members, and in a
 * three-way meeting only, the engagement's sponsor (never a member).
 */
export const ROOM_ROLES = ['coach', 'coachee', 'sponsor'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ENGAGEMENT_KINDS = ['coaching', 'mentoring'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** A session is booked, then live once someone joins it, then ended for good; or cancelled before it started. */
export const SESSION_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const ROLE_WORDS: Readonly<Record<EngagementKind, Readonly<Record<RoomRole, string>>>> = {
	coaching: { coach: 'coach', coachee: 'coachee', sponsor: 'sponsor' },
	mentoring: { coach: 'mentor', coachee: 'mentee', sponsor: 'sponsor' }
};

/** What a role is called in an engagement of this kind: "coach", "mentee", "Mentors"… */
export function roleWord(role: RoomRole, kind: EngagementKind, options: { plural?: boolean; capitalised?: boolean } = {}): string {
	const word = ROLE_WORDS[kind][role] + (options.plural ? 's' : '');
	return options.capitalised ? word.charAt(0).toUpperCase() + word.slice(1) : word;
}
