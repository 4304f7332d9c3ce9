/**
 * Row types of every table, for Kysely. Times are milliseconds since the epoch
 * (numbers on both SQLite and PostgreSQL), ids are random strings.
 * Features add their tables here together with a migration.
 */
import type { Generated } from 'kysely';
import type { SessionKind } from '../../shared/sessions.ts';

import type { EngagementKind, EngagementRole, SessionStatus } from '../../shared/domain.ts';

export type { EngagementKind, EngagementRole, SessionKind, SessionStatus };

export interface UserRow {
	id: string;
	email: string;
	name: string;
	password_hash: string;
	/** IANA zone name, e.g. Europe/London; see shared/time.ts. */
	time_zone: Generated<string>;
	created_at: number;
	/** When the person showed the address is theirs (a link mailed to it); mail to them waits until then. */
	email_confirmed_at: number | null;
}

export interface AuthSessionRow {
	id: string;
	user_id: string;
	expires_at: number;
	created_at: Generated<number>;
	/** Updated at most every limits.auth.lastSeenEveryMs. */
	last_seen_at: Generated<number>;
	user_agent: Generated<string>;
	address: Generated<string>;
}

export type AccountTokenPurpose = 'signup' | 'confirm' | 'reset';

/** A single-use link mailed to an address; the id is the token's SHA-256. */
export interface AccountTokenRow {
	id: string;
	purpose: AccountTokenPurpose;
	email: string;
	user_id: string | null;
	payload: string | null;
	created_at: number;
	expires_at: number;
	used_at: number | null;
}

/** A security event of one account, readable by its owner. */
export interface AuditEventRow {
	id: string;
	user_id: string;
	kind: string;
	at: number;
	address: string;
	user_agent: string;
	detail: string;
}

export interface EngagementRow {
	id: string;
	kind: EngagementKind;
	title: string;
	goals: string;
	planned_sessions: number | null;
	frequency: string | null;
	created_by: string;
	created_at: number;
}

export interface EngagementMemberRow {
	engagement_id: string;
	user_id: string;
	role: EngagementRole;
	joined_at: number;
}

export interface CoachingSessionRow {
	id: string;
	engagement_id: string;
	kind: SessionKind;
	/** 1, 2, 3... for contracted sessions; 0 for an introductory meeting. */
	number: number;
	scheduled_at: number;
	duration_minutes: number;
	status: SessionStatus;
	started_at: number | null;
	ended_at: number | null;
	created_at: number;
}

export interface InviteRow {
	id: string;
	engagement_id: string;
	created_by: string;
	created_at: number;
	expires_at: number;
	used_at: number | null;
	used_by: string | null;
}

export type SummaryReason = 'ended' | 'auto-ended' | 'corrected';

/** The durable job that takes a session from "ending" to "summary recorded and queued". */
export interface SessionEndingRow {
	session_id: string;
	reason: 'ended' | 'auto-ended';
	requested_by: string | null;
	requested_at: number;
	summary_id: string | null;
	completed_at: number | null;
}

/** One immutable version of a session's summary. */
export interface SummaryRow {
	id: string;
	session_id: string;
	engagement_id: string;
	version: number;
	reason: SummaryReason;
	created_by: string | null;
	created_at: number;
	correction_note: string | null;
	/** JSON of the SummaryContent (server/summary/content.ts). */
	content: string;
	shared_state: Uint8Array;
	private_state: Uint8Array | null;
}

/**
 * One reader's copy of a summary version as rendered when it was recorded
 * (or, for a version recorded before renderings existed, on its first read):
 * pages, downloads and emails are served from here, never rendered again.
 */
export interface SummaryRenderingRow {
	summary_id: string;
	/** Whose copy: every coachee reads the same copy, and the coach's has the coach-only part. */
	role: EngagementRole;
	markdown: string;
	/** The email's body HTML. */
	html: string;
	/** The shared notes alone as HTML, for the page. */
	notes_html: string;
	/** The private notes alone as HTML; null in a coachee's copy. */
	private_notes_html: string | null;
	/** JSON of the copy as shown (each section within its bound) and what was cut (server/summary/bounds.ts). */
	shown: string;
	/** 'markdown', or 'plain-text' when the renderer missed its deadline. */
	rendered_with: 'markdown' | 'plain-text';
	created_at: number;
}

/** `held`: waiting for the recipient to confirm their address. */
export type MailStatus = 'pending' | 'held' | 'sending' | 'sent' | 'failed';

export interface MailJobRow {
	id: string;
	kind: 'summary' | 'contract_review' | 'contract_in_force' | 'sponsor_update' | 'account';
	subject_id: string;
	user_id: string;
	to_name: string;
	to_address: string;
	status: MailStatus;
	attempts: number;
	next_attempt_at: number;
	last_error: string | null;
	message_id: string;
	outbox_file: string | null;
	sent_at: number | null;
	created_at: number;
}

/** A prompt a coach wrote; theirs across all their engagements. */
export interface CustomPromptRow {
	id: string;
	coach_id: string;
	text: string;
	/** normalisePromptText(text): duplicates are refused per coach. */
	text_key: string;
	phase: string;
	/** JSON array of theme names. */
	themes: string;
	mentoring: string | null;
	created_at: number;
	updated_at: number;
}

export interface PromptFavouriteRow {
	coach_id: string;
	/** A library id or one of the coach's custom prompt ids. */
	prompt_id: string;
	created_at: number;
}

/** A prompt marked as asked in a session, as it read then. */
export interface SessionPromptAskedRow {
	session_id: string;
	prompt_id: string;
	text: string;
	phase: string;
	asked_at: number;
	asked_by: string;
}

/** One Yjs update of a pad document, appended before it is broadcast. */
export interface PadUpdateRow {
	doc: string;
	seq: number;
	data: Uint8Array;
	created_at: number;
}

/** A pad document compacted up to (and including) update `seq`. */
export interface PadSnapshotRow {
	doc: string;
	seq: number;
	data: Uint8Array;
	updated_at: number;
}

export type ContractStatus = 'draft' | 'sent' | 'in_force' | 'superseded';

/** One version of an engagement's contract. */
export interface ContractRow {
	id: string;
	engagement_id: string;
	version: number;
	status: ContractStatus;
	/** JSON of ContractBody (shared/contract/body.ts). */
	body: string;
	/** JSON array of user ids whose acceptance puts this version in force. */
	required: string;
	created_by: string;
	created_at: number;
	updated_at: number;
	sent_at: number | null;
	in_force_at: number | null;
	superseded_at: number | null;
}

/** A party's acceptance of one contract version. */
export interface ContractAcceptanceRow {
	contract_id: string;
	user_id: string;
	typed_name: string;
	/** JSON array of the key clauses ticked. */
	ticked: string;
	accepted_at: number;
}

/** A single-use link inviting a sponsor to an engagement; the id is the token's hash. Same shape as a coachee's invite. */
export type SponsorLinkRow = InviteRow;

/** Who sponsors an engagement. Not a member: sponsors see only what the sponsors feature shows them. */
export interface EngagementSponsorRow {
	engagement_id: string;
	user_id: string;
	joined_at: number;
}

export type SponsorUpdateStatus = 'awaiting' | 'approved' | 'declined';

/** An update for the sponsor: drafted by the coach, approved (maybe edited) or declined by a coachee. */
export interface SponsorUpdateRow {
	id: string;
	engagement_id: string;
	drafted_by: string;
	draft_text: string;
	status: SponsorUpdateStatus;
	/** The text the coachee approved; the only text a sponsor ever receives. */
	final_text: string | null;
	decided_by: string | null;
	decided_at: number | null;
	created_at: number;
}

export type ReferralStatus = 'proposed' | 'approved' | 'declined' | 'referred' | 'withdrawn';

/** A proposed referral outside the coaching remit; only the coachee's approval allows it. */
export interface ReferralRow {
	id: string;
	engagement_id: string;
	coachee_id: string;
	proposed_by: string;
	/** Coach-only wording of the issue. */
	issue_note: string;
	refer_to: string;
	reason: string;
	discussed_on: string;
	status: ReferralStatus;
	created_at: number;
	decided_at: number | null;
	referred_at: number | null;
}

export interface Database {
	users: UserRow;
	auth_sessions: AuthSessionRow;
	account_tokens: AccountTokenRow;
	audit_events: AuditEventRow;
	engagements: EngagementRow;
	engagement_members: EngagementMemberRow;
	coaching_sessions: CoachingSessionRow;
	invites: InviteRow;
	session_endings: SessionEndingRow;
	summaries: SummaryRow;
	summary_renderings: SummaryRenderingRow;
	mail_jobs: MailJobRow;
	custom_prompts: CustomPromptRow;
	prompt_favourites: PromptFavouriteRow;
	session_prompts_asked: SessionPromptAskedRow;
	pad_updates: PadUpdateRow;
	pad_snapshots: PadSnapshotRow;
	contracts: ContractRow;
	contract_acceptances: ContractAcceptanceRow;
	sponsor_links: SponsorLinkRow;
	engagement_sponsors: EngagementSponsorRow;
	sponsor_updates: SponsorUpdateRow;
	referrals: ReferralRow;
	[table: `_${string}`]: never;
}

export type { Generated };
