/**
 * What a summary says, as data: recorded once when the session ends (and
 * again for each correction), then rendered into the app page, the email and
 * the Markdown file. The coach-only part is a separate branch of the record,
 * so a coachee's copy is made by leaving that branch out, not by filtering
 * text.
 */
import type { EngagementKind, EngagementRole, SummaryRow } from '../store/index.ts';

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

export function copyFor(content: SummaryContent, role: EngagementRole): SummaryCopy {
	const { coachOnly, ...rest } = content;
	return { ...rest, role, coachOnly: role === 'coach' ? coachOnly : null };
}

/** Minutes the session actually ran, rounded, at least 1 when it ran at all. */
export function actualMinutes(h: SummaryHeader): number | null {
	if (h.session.startedAt === null) return null;
	return Math.max(1, Math.round((h.session.endedAt - h.session.startedAt) / 60_000));
}

export function sessionTitle(h: SummaryHeader): string {
	const n = h.engagement.plannedSessions ? `Session ${h.session.number} of ${h.engagement.plannedSessions}` : `Session ${h.session.number}`;
	return `${h.engagement.title} · ${n}`;
}

/** A role in the engagement's words (mentor, mentee…); render.ts and the page use the same words. */
export { roleWord as roleName } from '../../shared/domain.ts';

/** The stored record's content. */
export function parseContent(row: Pick<SummaryRow, 'content'>): SummaryContent {
	return JSON.parse(row.content) as SummaryContent;
}
