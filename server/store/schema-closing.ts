/**
 * Row types of the closing feature's tables (server/closing owns them).
 */
import type { EngagementRole } from '../../shared/domain.ts';
import type { CloseReason, FOLLOW_UP_LASTED } from '../../shared/closing/index.ts';

export type ClosingMailKind = 'closing_report' | 'closing_follow_up' | 'closing_proposed';

export interface EngagementClosingRow {
	engagement_id: string;
	state: 'proposed' | 'closed';
	reason: CloseReason;
	note: string;
	follow_up_months: number;
	proposed_by: string;
	proposed_at: number;
	closed_by: string | null;
	closed_at: number | null;
	follow_up_at: number | null;
	sponsor_update_id: string | null;
}

export interface ClosingEvaluationRow {
	engagement_id: string;
	user_id: string;
	role: EngagementRole;
	/** JSON: { helpful, learning, gained, organisation, comment }. */
	answers: string;
	reflection: string;
	created_at: number;
}

export interface EngagementReportRow {
	engagement_id: string;
	/** JSON of the full EngagementReport (the coach's copy). */
	content: string;
	trigger: 'complete' | 'timeout';
	stored_at: number;
}

export interface ClosingFollowUpRow {
	engagement_id: string;
	user_id: string;
	lasted: (typeof FOLLOW_UP_LASTED)[number];
	notes: string;
	answered_at: number;
}
