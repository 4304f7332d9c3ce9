/**
 * The shape of a session summary as its readers get it: the record written
 * when a session ends, and one reader's copy of it. Server and page both use
 * these types (the page renders a copy), so they live here, with one small
 * lookup (`goalOf`).
 */
import type { ENGAGEMENT_KINDS } from '../forms/index.ts';
import type { ParticipantRole } from '../protocol/room.ts';
import type { SessionKind } from '../sessions.ts';
import type { GroupSharing } from '../contract/body.ts';

type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];
type EngagementRole = ParticipantRole;

export type ActionStatus = 'open' | 'done' | 'dropped';

export interface SummaryAction {
	id: string;
	text: string;
	/** Display name of who owns it: a person's name, or "Both". */
	owner: string;
	/** Calendar date, YYYY-MM-DD, or null when none was set. */
	due: string | null;
	status: ActionStatus;
	/** Whose it is, for group sharing: 'coach', 'coachee' (then `ownerUserId`) or 'both'; absent in older summaries. */
	ownerKind?: 'coach' | 'coachee' | 'both';
	ownerUserId?: string | null;
	/** The contract goal this action serves (an id of `SummaryHeader.contract.goals`); absent in summaries recorded before goals could be tied. */
	goalId?: string | null;
}

/** An action agreed in an earlier session, reviewed in this one. */
export interface CarriedAction extends SummaryAction {
	fromSession: number | null;
	/** Its status when this session started: `open` -> `done` is what happened. */
	statusBefore: ActionStatus;
}

export interface AskedPrompt {
	text: string;
	askedAt: number;
}

export interface SharedContent {
	actions: SummaryAction[];
	carriedOver: CarriedAction[];
	learningPoints: string[];
	/** Who wrote each learning point (same order), for group sharing; absent in older summaries. */
	learningAuthors?: string[];
	/** Shared notes as Markdown. */
	notes: string;
}

export interface CoachOnlyContent {
	/** The coach's private notes as Markdown. */
	privateNotes: string;
	promptsAsked: AskedPrompt[];
}

export interface SummaryHeader {
	engagement: { id: string; title: string; kind: EngagementKind; plannedSessions: number | null };
	session: {
		id: string;
		/** Absent in summaries recorded before sessions had kinds (all contracted sessions). */
		kind?: SessionKind;
		number: number;
		scheduledAt: number;
		startedAt: number | null;
		endedAt: number;
		plannedMinutes: number;
	};
	participants: { userId: string; name: string; role: EngagementRole }[];
	next: { id: string; number: number; scheduledAt: number; durationMinutes: number } | null;
	/** The contract version in force when the session started, with its goals' statements (absent in older summaries; null when none was in force). */
	contract?: SummaryContract | null;
	/** In a group engagement, what the contract lets coachees see of each other (absent: one coachee, or everything). */
	sharing?: GroupSharing;
}

export interface SummaryContract {
	version: number;
	goals: { id: string; statement: string }[];
}

/** The goal an action serves, in the contract the summary was held under; null when none or unknown. */
export function goalOf(contract: SummaryContract | null | undefined, goalId: string | null | undefined): { id: string; statement: string } | null {
	if (!contract || !goalId) return null;
	return contract.goals.find((g) => g.id === goalId) ?? null;
}

/** The whole record, as stored (JSON in summaries.content). */
export interface SummaryContent extends SummaryHeader {
	shared: SharedContent;
	coachOnly: CoachOnlyContent;
}

/** What one reader is given: the coachee's copy has no coach-only branch at all. */
export interface SummaryCopy extends SummaryHeader {
	role: EngagementRole;
	shared: SharedContent;
	coachOnly: CoachOnlyContent | null;
}

/** What a shown copy left out of the record to stay within its bounds (limits.summary). */
export interface Cut {
	/** Agreed actions left out (an action cut short inside counts as one). */
	actions: number;
	carriedOver: number;
	learningPoints: number;
	notes: boolean;
	privateNotes: boolean;
}

/** The engagement's actions tied to one contract goal, across its summaries (the engagement page). */
export interface GoalActions {
	goalId: string;
	/** The goal's words in the latest summary that named it. */
	statement: string;
	actions: { id: string; text: string; owner: string; due: string | null; status: ActionStatus; sessionNumber: number }[];
}
