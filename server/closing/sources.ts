/**
 * What closing needs from features built beside it, as one seam. Goal
 * ratings over time belong to the goal-progress feature (server/progress),
 * per-session feedback to the feedback feature; app.ts injects them
 * (from-features.ts), so the report shows each reader exactly what those
 * features show them.
 */

/** One rating of one goal by one person at one moment (baseline, after a session, at close). */
export interface ProgressPoint {
	goalId: string;
	raterId: string;
	moment: string;
	/** How the progress feature names the moment ("Baseline", "Session 2 of 6", "At close"). */
	label: string;
	score: number;
	at: number;
}

/** One piece of per-session feedback. `private`: the coach's own reflection, in the coach's copy only. */
export interface FeedbackItem {
	sessionId: string | null;
	fromId: string;
	text: string;
	rating: number | null;
	private: boolean;
}

export interface ClosingSources {
	/** The goal ratings given with the final evaluation (moment `close`). */
	recordCloseRatings(input: { engagementId: string; raterId: string; moment: 'close'; scores: Record<string, number> }): Promise<void>;
	/** The ratings `readerId` may see (a group's coachee never another coachee's), for their copy of the report. */
	progressForReport(engagementId: string, readerId: string): Promise<ProgressPoint[]>;
	/** The per-session feedback `readerId` may see; their own private reflections flagged `private`. */
	feedbackForReport(engagementId: string, readerId: string): Promise<FeedbackItem[]>;
}
