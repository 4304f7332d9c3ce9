/**
 * Row types of the schemes feature's tables (server/schemes owns them),
 * apart from the rest of the schema so each file stays about one thing.
 */
import type { EngagementKind, EngagementRole } from '../../shared/domain.ts';
import type { MatchState, RequestStatus, SchemeKind } from '../../shared/schemes/index.ts';
import type { EngagementFrequency } from '../../shared/contract/plan.ts';

export type SchemeMailKind = 'scheme_invite' | 'scheme_request' | 'scheme_request_ack' | 'scheme_proposal' | 'scheme_placed' | 'scheme_declined' | 'scheme_feedback';

export interface SchemeRow {
	id: string;
	name: string;
	purpose: string;
	kinds: SchemeKind;
	/** JSON array of the scheme's controlled expertise areas. */
	areas: string;
	covers: string;
	excludes: string;
	max_months: number;
	expected_sessions: number;
	frequency: EngagementFrequency;
	session_minutes: number;
	created_by: string;
	created_at: number;
}

export interface SchemeCoordinatorRow {
	scheme_id: string;
	user_id: string;
	joined_at: number;
}

/** An invitation to a scheme, addressed to one email; accepted once by the account with that address. */
export interface SchemeInviteRow {
	id: string;
	scheme_id: string;
	role: 'volunteer' | 'coordinator';
	name: string;
	email: string;
	created_by: string;
	created_at: number;
	expires_at: number;
	used_at: number | null;
	used_by: string | null;
}

/** A coach's or mentor's profile in one scheme; `load` counts their proposed and placed matches. */
export interface SchemeVolunteerRow {
	scheme_id: string;
	user_id: string;
	kinds: SchemeKind;
	/** JSON array, a subset of the scheme's areas. */
	areas: string;
	free_words: string;
	experience: string;
	qualifications: string;
	/** JSON array. */
	languages: string;
	time_zone: string;
	capacity: number;
	load: number;
	availability: string;
	complete: number;
	joined_at: number;
	updated_at: number;
}

export interface SchemeRequestRow {
	id: string;
	scheme_id: string;
	user_id: string;
	kind: EngagementKind;
	develop: string;
	why_now: string;
	success: string;
	clarity: 'clear' | 'rough' | 'unsure';
	commitment: 'yes' | 'unsure' | 'no';
	/** JSON arrays. */
	areas: string;
	languages: string;
	time_zone: string;
	status: RequestStatus;
	created_at: number;
	placed_at: number | null;
}

export interface SchemeMatchRow {
	id: string;
	scheme_id: string;
	request_id: string;
	volunteer_id: string;
	requester_id: string;
	proposed_by: string;
	proposed_at: number;
	note: string;
	state: MatchState;
	volunteer_answer: 'accept' | 'decline' | null;
	volunteer_reason: string | null;
	volunteer_answered_at: number | null;
	requester_answer: 'accept' | 'decline' | null;
	requester_reason: string | null;
	requester_answered_at: number | null;
	engagement_id: string | null;
	closed_at: number | null;
}

export interface SchemeFeedbackRow {
	match_id: string;
	user_id: string;
	role: EngagementRole;
	helpful: number;
	learning: number;
	gained: number;
	comment: string;
	created_at: number;
}
