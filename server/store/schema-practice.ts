/** Row types of the practice feature's tables (server/practice). */
import type { Funding } from '../../shared/practice/index.ts';

export type { Funding };

/** How an engagement goes into its coach's log of hours; absent until the coach says (then: paid, no organisation). */
export interface PracticeEngagementRow {
	engagement_id: string;
	coach_id: string;
	funding: Funding;
	organisation: string;
	updated_at: number;
}

/** One of the coach's reflections on an engagement, for their supervisor; nobody else reads it. */
export interface SupervisionNoteRow {
	id: string;
	engagement_id: string;
	coach_id: string;
	body: string;
	created_at: number;
	updated_at: number;
}
