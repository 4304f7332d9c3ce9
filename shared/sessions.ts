/**
 * Kinds of meeting in an engagement. A contracted session is numbered and
 * counted against the contract ("Session 3 of 6"); an introductory meeting
 * (recommended where coach and coachee do not know each other) can be booked
 * before any contract is in force and is never counted. A three-way meeting
 * (coach, coachee and the engagement's sponsor, e.g. to agree goals at the
 * start or review at the end) is not counted either; its pad is its own
 * document, the only one a sponsor may ever open.
 */
export const SESSION_KINDS = ['session', 'introductory', 'three_way'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

import type { SessionStatus } from './domain.ts';

export const SESSION_KIND_WORDS: Record<SessionKind, string> = {
	session: 'Coaching session',
	introductory: 'Introductory meeting',
	three_way: 'Three-way meeting with the sponsor'
};

/** "Session 3 of 6", "Session 3", "Introductory meeting" or "Three-way meeting". */
export function sessionName(s: { kind?: SessionKind; number: number }, planned: number | null | undefined): string {
	if (s.kind === 'introductory') return 'Introductory meeting';
	if (s.kind === 'three_way') return 'Three-way meeting';
	return planned ? `Session ${s.number} of ${planned}` : `Session ${s.number}`;
}

/**
 * Which sessions use up one of the contract's sessions: every contracted
 * session, except one cancelled with the contract's notice. A late
 * cancellation still counts, as contracts commonly say ("a session cancelled
 * at short notice is charged"); the contract's own words are shown beside the
 * cancel form.
 */
export function countsAgainstContract(s: { kind: SessionKind; status: SessionStatus; late_change: number }): boolean {
	return s.kind === 'session' && !(s.status === 'cancelled' && s.late_change === 0);
}
