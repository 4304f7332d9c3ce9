/**
 * Row types of every table, for Kysely. Times are milliseconds since the epoch
 * (numbers on both SQLite and PostgreSQL), ids are random strings.
 * Features add their tables here together with a migration; a feature with
 * several tables keeps their row types in a schema-<feature>.ts beside it.
 */
import type { Generated } from 'kysely';
import type { SessionKind } from '../../shared/sessions.ts';
import type { EngagementKind, EngagementRole, SessionStatus } from '../../shared/domain.ts';
import type { AccountTokenRow, AuditEventRow, AuthSessionRow, UserRow } from './schema-accounts.ts';
import type { PracticeEngagementRow, SupervisionNoteRow } from './schema-practice.ts';
import type { EngagementCallPrivacyRow } from './schema-call-privacy.ts';
import type { PadHeadRow } from './schema-pad.ts';
import type { SessionVacancyRow } from './schema-jobs.ts';
import type { PasskeyRow, PendingSignInRow, RecoveryCodeRow, TotpCredentialRow } from './schema-two-factor.ts';
import type { SchemeCoordinatorRow, SchemeFeedbackRow, SchemeInviteRow, SchemeMailKind, SchemeMatchRow, SchemeRequestRow, SchemeRow, SchemeVolunteerRow } from './schema-schemes.ts';
import type { FeedbackMailKind, GoalRatingRow, SessionFeedbackRow } from './schema-feedback.ts';
import type { ClosingEvaluationRow, ClosingFollowUpRow, ClosingMailKind, EngagementClosingRow, EngagementReportRow } from './schema-closing.ts';

export type { EngagementKind, EngagementRole, SessionKind, SessionStatus };

export interface EngagementRow {
	id: string;
	kind: EngagementKind;
	title: string;
	goals: string;
	planned_sessions: number | null;
	frequency: string | null;
	created_by: string;
	created_at: number;
	/** 1 when the coach requires every member to sign in with a second factor. */
	require_two_factor?: number;
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
	/** iCalendar SEQUENCE: 0 when booked, one more for each move or the cancellation. */
	sequence: number;
	/** Who last moved or cancelled it, why, and when. */
	changed_by: string | null;
	change_reason: string | null;
	changed_at: number | null;
	/** 1 when that change came inside the contract's notice (a late cancellation still counts). */
	late_change: number;
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
	/** The instance completing it, and until when (migration 0029); null when nobody is. */
	lease_owner: string | null;
	lease_until: number | null;
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
	/** When this corrected version was emailed to everyone (null: not emailed); counts against limits.summary.correctionMails. */
	mailed_again_at: Generated<number | null>;
}

/**
 * One reader's copy of a summary version as rendered when it was recorded
 * (or, for a version recorded before renderings existed, on its first read):
 * pages, downloads and emails are served from here, never rendered again.
 */
export interface SummaryRenderingRow {
	summary_id: string;
	/** Whose copy: `coach` (with the coach-only part), `coachee` (every coachee's), or `coachee:<userId>` where a group shares less (server/summary/copies.ts). */
	role: string;
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

/** A person's private calendar feed; the secret is in the URL, only its hash here. */
export interface CalendarFeedRow {
	user_id: string;
	token_hash: string;
	created_at: number;
}

/** `held`: waiting for the recipient to confirm their address. */
export type MailStatus = 'pending' | 'held' | 'sending' | 'sent' | 'failed';

export interface MailJobRow {
	id: string;
	kind: 'summary' | 'contract_review' | 'contract_in_force' | 'sponsor_update' | 'scoping_link' | 'proposal_invite' | 'proposal_decline' | 'session_invite' | 'session_reminder' | 'rhythm_nudge' | 'action_due' | 'account' | SchemeMailKind | FeedbackMailKind | ClosingMailKind;
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
	/** While `sending`: the instance sending it, and until when (migration 0029). */
	lease_owner: string | null;
	lease_until: number | null;
	/** What the message said, recorded when it was sent (null before, and for messages sent before 0013). */
	subject: string | null;
	preview: string | null;
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

export type ProposalStatus = 'open' | 'answered' | 'taken' | 'declined';
/** Scoping before the work is taken on: what a coach proposes, the prospect's answers and the coach's decision. */
export interface ProposalRow {
	id: string;
	coach_id: string;
	kind: EngagementKind;
	title: string;
	request: string;
	/** The prospective coachee; '' when only the sponsor is known yet. */
	prospect_name: string;
	prospect_email: string;
	sponsor_name: string;
	sponsor_email: string;
	/** JSON array of the coach's own questions. */
	coach_questions: string;
	status: ProposalStatus;
	/** JSON of ScopingAnswers (shared/scoping). */
	answers: string | null;
	answered_at: number | null;
	decided_at: number | null;
	/** The coach's own note on the decision; never sent. */
	decision_note: string | null;
	/** The decline email's text as the coach sent it. */
	decline_message: string | null;
	engagement_id: string | null;
	origin: string;
	created_at: number;
	updated_at: number;
}
/** A scoping link; the id is the token's hash. Usable until it expires and while its proposal waits for answers. */
export interface ScopingLinkRow {
	id: string;
	proposal_id: string;
	created_at: number;
	expires_at: number;
	used_at: number | null;
}

export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** A durable job of the scheduler (server/scheduler): run once at or after `run_at`, retried with backoff. */
export interface ScheduledJobRow {
	id: string;
	kind: string;
	subject: string;
	run_at: number;
	state: JobState;
	attempts: number;
	/** While running: the claim holds until then; past it another process may take the job. */
	lease_until: number | null;
	last_error: string | null;
	created_at: number;
	done_at: number | null;
}

export interface ReminderPreferenceRow {
	user_id: string;
	/** JSON array of minutes before a session, e.g. [1440, 60]; [] switches reminders off. */
	offsets: string;
	updated_at: number;
}

export interface SessionPreparationRow {
	session_id: string;
	user_id: string;
	role: EngagementRole;
	want: string;
	/** JSON array of { actionId, text, status, comment }. */
	actions: string;
	for_coach: string;
	/** The coach's private note; empty in a coachee's row. */
	private_note: string;
	updated_at: number;
}

/** A status change or comment on an action, made between sessions by its owner. */
export interface ActionUpdateRow {
	id: string;
	engagement_id: string;
	action_id: string;
	from_session_id: string;
	status: 'open' | 'done' | 'dropped';
	comment: string;
	user_id: string;
	created_at: number;
}

/** Erasing an engagement's content by agreement (server/yourdata): proposed by one member, agreed by all. */
export interface EngagementErasureRow {
	engagement_id: string;
	proposed_by: string;
	proposed_at: number;
	/** JSON array of the user ids who agreed (the proposer first). */
	agreed: string;
	erased_at: number | null;
}

export type * from './schema-accounts.ts';
export type * from './schema-feedback.ts';
export type * from './schema-schemes.ts';
export type * from './schema-practice.ts';
export type * from './schema-closing.ts';
export type * from './schema-call-privacy.ts';
export type * from './schema-pad.ts';
export type * from './schema-two-factor.ts';

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
	session_vacancies: SessionVacancyRow;
	custom_prompts: CustomPromptRow;
	prompt_favourites: PromptFavouriteRow;
	session_prompts_asked: SessionPromptAskedRow;
	pad_updates: PadUpdateRow;
	pad_snapshots: PadSnapshotRow;
	pad_heads: PadHeadRow;
	contracts: ContractRow;
	contract_acceptances: ContractAcceptanceRow;
	sponsor_links: SponsorLinkRow;
	engagement_sponsors: EngagementSponsorRow;
	sponsor_updates: SponsorUpdateRow;
	referrals: ReferralRow;
	calendar_feeds: CalendarFeedRow;
	proposals: ProposalRow;
	scoping_links: ScopingLinkRow;
	scheduled_jobs: ScheduledJobRow;
	reminder_preferences: ReminderPreferenceRow;
	session_preparations: SessionPreparationRow;
	action_updates: ActionUpdateRow;
	/** `volunteers_rev` is bumped with every change ranking reads (profiles, loads, ratings), in the same transaction. */
	schemes: SchemeRow & { volunteers_rev: Generated<number> };
	scheme_coordinators: SchemeCoordinatorRow;
	scheme_invites: SchemeInviteRow;
	scheme_volunteers: SchemeVolunteerRow;
	scheme_requests: SchemeRequestRow;
	scheme_matches: SchemeMatchRow;
	scheme_feedback: SchemeFeedbackRow;
	session_feedback: SessionFeedbackRow;
	goal_ratings: GoalRatingRow;
	practice_engagements: PracticeEngagementRow;
	supervision_notes: SupervisionNoteRow;
	engagement_closings: EngagementClosingRow;
	closing_evaluations: ClosingEvaluationRow;
	engagement_reports: EngagementReportRow;
	closing_follow_ups: ClosingFollowUpRow;
	engagement_call_privacy: EngagementCallPrivacyRow;
	totp_credentials: TotpCredentialRow;
	recovery_codes: RecoveryCodeRow;
	passkeys: PasskeyRow;
	pending_sign_ins: PendingSignInRow;
	engagement_erasures: EngagementErasureRow;
	[table: `_${string}`]: never;
}

export type { Generated };
