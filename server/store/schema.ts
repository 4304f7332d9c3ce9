/**
 * Row types of every table, for Kysely. Times are milliseconds since the epoch
 * (numbers on both SQLite and PostgreSQL), ids are random strings.
 * Features add their tables here together with a migration.
 */
import type { Generated } from 'kysely';

export type EngagementKind = 'coaching' | 'mentoring';
export type EngagementRole = 'coach' | 'coachee';
export type SessionStatus = 'scheduled' | 'live' | 'ended';

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

export interface Database {
	users: UserRow;
	auth_sessions: AuthSessionRow;
	engagements: EngagementRow;
	engagement_members: EngagementMemberRow;
	coaching_sessions: CoachingSessionRow;
	invites: InviteRow;
	[table: `_${string}`]: never;
}

export type { Generated };
