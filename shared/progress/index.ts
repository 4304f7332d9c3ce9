/**
 * Goal progress as pages and the server share it: each goal of the contract
 * in force rated 0 to 10 by the coachee and by the coach separately, at
 * contracting (baseline), after a session, at close and at a follow-up.
 */
import { z } from 'zod';

export const RATING_MOMENTS = ['baseline', 'session', 'close', 'follow_up'] as const;
export type RatingMoment = (typeof RATING_MOMENTS)[number];
export const MIN_SCORE = 0;
export const MAX_SCORE = 10;

export const momentWords: Record<RatingMoment, string> = { baseline: 'Baseline', session: 'After a session', close: 'At close', follow_up: 'Follow-up' };

/** A rating call: who rates, when, and a score per goal id (at least one). */
export const ratingsInput = z.object({
	engagementId: z.string().min(1),
	raterId: z.string().min(1),
	moment: z.enum(RATING_MOMENTS, { error: 'Choose when this rating is for: baseline, session, close or follow-up.' }),
	sessionId: z.string().min(1).optional(),
	scores: z.record(
		z.string(),
		z.number({ error: 'Rate each goal with a number from 0 to 10.' }).int('Rate each goal with a whole number from 0 to 10.').min(MIN_SCORE, 'Rate each goal from 0 to 10.').max(MAX_SCORE, 'Rate each goal from 0 to 10.')
	)
});
export type RatingsInput = z.infer<typeof ratingsInput>;

/** A goal as the chart names it. */
export interface ProgressGoal {
	id: string;
	statement: string;
}

/** One rating on the chart: who, which goal, when, and the score. */
export interface ProgressPoint {
	goalId: string;
	raterId: string;
	raterRole: 'coach' | 'coachee';
	raterName: string;
	moment: RatingMoment;
	sessionId: string | null;
	/** "Baseline", "Session 2", "At close", "Follow-up". */
	label: string;
	/** When the moment was: a session's end, else when the rating was first given. */
	at: number;
	score: number;
}

/** What one reader sees: the contract's goals and the points they may see, oldest first. */
export interface ProgressSeries {
	goals: ProgressGoal[];
	points: ProgressPoint[];
}

/** The form's flat fields (`score.<goalId>`) as scores; blank goals are left out. */
export function scoresFromForm(form: Record<string, string>): Record<string, number> | string {
	const scores: Record<string, number> = {};
	for (const [k, v] of Object.entries(form)) {
		if (!k.startsWith('score.') || v.trim() === '') continue;
		const n = Number(v);
		if (!Number.isFinite(n)) return 'Rate each goal with a number from 0 to 10.';
		scores[k.slice('score.'.length)] = n;
	}
	return scores;
}
