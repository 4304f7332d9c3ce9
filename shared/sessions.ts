/**
 * Kinds of meeting in an engagement. A contracted session is numbered and
 * counted against the contract ("Session 3 of 6"); an introductory meeting
 * (recommended where coach and coachee do not know each other) can be booked
 * before any contract is in force and is never counted.
 */
export const SESSION_KINDS = ['session', 'introductory'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

import type { SessionStatus } from './domain.ts';

export const SESSION_KIND_WORDS: Record<SessionKind, string> = {
	session: 'Coaching session',
	introductory: 'Introductory meeting'
};

/** "Session 3 of 6", "Session 3", or "Introductory meeting". */
export function sessionName(s: { kind?: SessionKind; number: number }, planned: number | null | undefined): string {
	if (s.kind === 'introductory') return 'Introductory meeting';
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
