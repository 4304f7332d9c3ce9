/**
 * The shape of a session summary as its readers get it: the record written
 * when a session ends, and one reader's copy of it. Server and page both use
 * these types (the page renders a copy), so they live here, with no code.
 */
import type { ENGAGEMENT_KINDS } from '../forms/index.ts';
import type { ParticipantRole } from '../protocol/room.ts';

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
		number: number;
		scheduledAt: number;
		startedAt: number | null;
		endedAt: number;
		plannedMinutes: number;
	};
	participants: { userId: string; name: string; role: EngagementRole }[];
	next: { id: string; number: number; scheduledAt: number; durationMinutes: number } | null;
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
