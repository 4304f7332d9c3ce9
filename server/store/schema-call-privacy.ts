/** Row types of call privacy (migration 0025). */

export interface EngagementCallPrivacyRow {
	engagement_id: string;
	/** 1 when the coach requires end-to-end encrypted calls. */
	require_e2ee: number;
	changed_by: string;
	changed_at: number;
}
