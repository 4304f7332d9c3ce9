/**
 * The rhythm between sessions as pages and the server share it: the forms
 * (validated with zod on the server), the preparation's shape, and how a
 * preparation steers the prompt panel's "Suggested now".
 */
import { z } from 'zod';
import type { PhaseSuggestion } from '../prompts/timing.ts';
import type { CarriedAction } from '../pad/index.ts';
import type { EngagementFrequency } from '../contract/plan.ts';
import type { SessionStatus } from '../domain.ts';
import type { SessionKind } from '../sessions.ts';

export const MAX_PREPARATION_CHARS = 4_000;
export const MAX_COMMENT_CHARS = 1_000;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use dates like 2027-03-14.');
const localDateTime = z.string({ error: 'Choose a date and time.' }).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Choose a date and time for each session.');

/** "Propose dates": the time of day, where to start, and dates the coach cannot do (comma, space or line separated). */
export const seriesProposalForm = z.object({
	time: z.string({ error: 'Choose a time of day.' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Choose a time of day, like 09:30.'),
	from: z.union([z.literal(''), date]).default(''),
	unavailable: z
		.string()
		.default('')
		.transform((s) => s.split(/[\s,;]+/).filter(Boolean))
		.pipe(z.array(date).max(200, 'List at most 200 unavailable dates.'))
});

/** "Create these sessions": the (possibly adjusted) wall times in the coach's zone. */
export const seriesCreateForm = z.object({
	at: z.array(localDateTime).min(1, 'Keep at least one date.').max(60, 'Schedule at most 60 sessions at once.'),
	durationMinutes: z.coerce.number({ error: 'Enter a duration in minutes.' }).int('Enter whole minutes.').min(15, 'A session lasts at least 15 minutes.').max(480, 'A session lasts at most 8 hours.')
});

/** Reminder times in hours before a session, e.g. "24, 1"; empty or "off" switches reminders off. */
export const reminderForm = z.object({
	hours: z
		.string()
		.trim()
		.max(100)
		.transform((s, ctx) => {
			const parts = s.toLowerCase() === 'off' ? [] : s.split(/[\s,;]+/).filter(Boolean);
			const hours = parts.map(Number);
			if (hours.some((h) => !Number.isFinite(h) || h <= 0)) ctx.addIssue({ code: 'custom', message: 'Give hours above 0 as numbers, like 24, 1 (or "off").' });
			else if (hours.some((h) => h > 14 * 24)) ctx.addIssue({ code: 'custom', message: 'A reminder can be at most 14 days (336 hours) before.' });
			else if (hours.length > 4) ctx.addIssue({ code: 'custom', message: 'Choose at most 4 reminders.' });
			return [...new Set(hours.map((h) => Math.round(h * 60)))].sort((a, b) => b - a);
		})
});

export const ACTION_UPDATE_STATUSES = ['open', 'done', 'dropped'] as const;

export const actionUpdateForm = z.object({
	actionId: z.string().min(1, 'Choose an action.').max(64),
	status: z.enum(ACTION_UPDATE_STATUSES, { error: 'Choose open, done or dropped.' }),
	comment: z.string().trim().max(MAX_COMMENT_CHARS, `Keep the comment under ${MAX_COMMENT_CHARS} characters.`).default('')
});

const prepText = (what: string) => z.string().trim().max(MAX_PREPARATION_CHARS, `Keep ${what} under ${MAX_PREPARATION_CHARS} characters.`).default('');

/** One open action as the coachee prepared it: how it went. */
export interface PreparedAction {
	actionId: string;
	text: string;
	status: 'open' | 'done' | 'dropped';
	comment: string;
}

export const coacheePreparationForm = z.object({
	want: prepText('what you want from this session'),
	forCoach: prepText('what your coach should know'),
	actions: z
		.array(z.object({ actionId: z.string().min(1).max(64), status: z.enum(ACTION_UPDATE_STATUSES), comment: z.string().trim().max(MAX_COMMENT_CHARS, `Keep each comment under ${MAX_COMMENT_CHARS} characters.`) }))
		.max(200)
		.default([])
});

export const coachPreparationForm = z.object({ privateNote: prepText('your note') });

/** The coachee's preparation as the coach reads it in the room. */
export interface AgendaItem {
	userId: string;
	name: string;
	want: string;
	forCoach: string;
	actions: PreparedAction[];
	updatedAt: number;
}

export interface Agenda {
	items: AgendaItem[];
	/** The coach's own private preparation note. */
	privateNote: string;
}

/**
 * "Suggested now", with the preparation in mind: while the session opens,
 * action updates in the preparation suggest reviewing them (reflection),
 * and a stated wish for the session suggests goal prompts.
 */
export function withPreparation(base: PhaseSuggestion, agenda: Pick<Agenda, 'items'> | null, opening: boolean): PhaseSuggestion {
	if (!agenda || !opening || agenda.items.length === 0) return base;
	const updates = agenda.items.some((i) => i.actions.some((a) => a.status !== 'open' || a.comment.trim() !== ''));
	const wants = agenda.items.some((i) => i.want.trim() !== '');
	if (updates) return { phases: ['reflection', 'scoping', ...(wants ? (['goal'] as const) : [])], reason: 'Preparation: review the action updates first' };
	if (wants) return { phases: ['scoping', 'goal'], reason: 'Preparation: start from what they want today' };
	return base;
}

export interface ProposedSession {
	date: string;
	time: string;
	/** The instant, ms since the epoch. */
	at: number;
}

export interface SeriesProposal {
	sessions: ProposedSession[];
	/** Dates the rhythm fell on that were marked unavailable. */
	skipped: string[];
	/** Why fewer than `sessionsLeft` were proposed, when that happens. */
	shortBy: { count: number; reason: string } | null;
}

export interface RhythmAtAGlance {
	/** Sessions the contract (or the engagement) plans. */
	planned: number | null;
	held: number;
	booked: number;
	/** The next booked session, if any. */
	nextBooked: number | null;
	/** The date the rhythm says the next session is due (YYYY-MM-DD in the reader's zone), from the last one held. */
	nextDue: string | null;
	/** Nothing booked and the gap since the last session already exceeds the agreed frequency. */
	behind: boolean;
	frequency: EngagementFrequency | null;
}

export interface OpenActionView extends CarriedAction {
	overdue: boolean;
	/** Whether the asking person may update it (its owner). */
	mine: boolean;
}

export interface RhythmOverview {
	zone: string;
	glance: RhythmAtAGlance;
	actions: OpenActionView[];
	/** The asking person's reminders, in minutes before a session. */
	reminderMinutes: number[];
	/** For the coach: what "Schedule the series" starts from; null when there is no contract in force. */
	series: { sessionsLeft: number; durationMinutes: number; time: string; from: string; frequency: EngagementFrequency; endDate: string } | null;
}

export interface SeriesDraft extends SeriesProposal {
	zone: string;
	durationMinutes: number;
	/** Each proposed session as a datetime-local value in the coach's zone. */
	local: string[];
}


export interface PreparationView {
	role: 'coach' | 'coachee';
	session: { id: string; number: number; kind: SessionKind; scheduled_at: number; duration_minutes: number; status: SessionStatus };
	engagement: { id: string; title: string; plannedSessions: number | null };
	want: string;
	forCoach: string;
	/** Each open action with what this coachee said about it (their own statuses, not yet the pad's). */
	actions: (PreparedAction & { due: string | null; fromSessionNumber: number })[];
	privateNote: string;
	updatedAt: number | null;
}

