/**
 * Row types of every table, for Kysely. Times are milliseconds since the epoch
 * (numbers on both SQLite and PostgreSQL), ids are random strings.
 * Features add their tables here together with a migration.
 */
import type { Generated } from 'kysely';

import type { EngagementKind, EngagementRole, SessionStatus } from '../../shared/domain.ts';

export type { EngagementKind, EngagementRole, SessionStatus };

export interface UserRow {
	id: string;
	email: string;
	name: string;
	password_hash: string;
	created_at: number;
}

export interface AuthSessionRow {
	id: string;
	user_id: string;
	expires_at: number;
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

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface MailJobRow {
	id: string;
	kind: 'summary';
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

export interface Database {
	users: UserRow;
	auth_sessions: AuthSessionRow;
	engagements: EngagementRow;
	engagement_members: EngagementMemberRow;
	coaching_sessions: CoachingSessionRow;
	invites: InviteRow;
	session_endings: SessionEndingRow;
	summaries: SummaryRow;
	mail_jobs: MailJobRow;
	custom_prompts: CustomPromptRow;
	prompt_favourites: PromptFavouriteRow;
	session_prompts_asked: SessionPromptAskedRow;
	pad_updates: PadUpdateRow;
	pad_snapshots: PadSnapshotRow;
	[table: `_${string}`]: never;
}

export type { Generated };
