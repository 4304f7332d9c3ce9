/**
 * Row types of the feedback feature's table (server/feedback) and the
 * progress feature's (server/progress), apart from the rest of the schema.
 */
import type { RatingMoment } from '../../shared/progress/index.ts';

export type FeedbackMailKind = 'feedback_reminder';

/** One person's feedback on one session. */
export interface SessionFeedbackRow {
	session_id: string;
	user_id: string;
	engagement_id: string;
	role: 'coach' | 'coachee';
	state: 'given' | 'declined';
	usefulness: number | null;
	helped: string;
	better: string;
	reflection: string;
	note_to_coachee: string;
	created_at: number;
	updated_at: number;
}

/** One person's 0-10 rating of one goal at one moment. */
export interface GoalRatingRow {
	id: string;
	engagement_id: string;
	rater_id: string;
	role: 'coach' | 'coachee';
	goal_id: string;
	moment: RatingMoment;
	point: string;
	session_id: string | null;
	contract_version: number;
	score: number;
	at: number;
	created_at: number;
	updated_at: number;
}
