/**
 * Reads and writes of the closing feature's own tables (migration 0021).
 */
import type { Kysely } from 'kysely';
import type { ClosingEvaluationRow, ClosingFollowUpRow, Database, EngagementClosingRow, EngagementReportRow } from '../store/index.ts';
import type { EngagementReport, EvaluationQuestion } from '../../shared/closing/index.ts';

export interface Evaluation {
	userId: string;
	role: ClosingEvaluationRow['role'];
	answers: Record<EvaluationQuestion, number>;
	comment: string;
	goals: Record<string, number>;
	reflection: string;
	createdAt: number;
}

/** What a stored report holds: each member's own copy, cut when it was stored. */
export interface StoredReport {
	copies: Record<string, EngagementReport>;
}

export async function closingOf(db: Kysely<Database>, engagementId: string): Promise<EngagementClosingRow | null> {
	return (await db.selectFrom('engagement_closings').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst()) ?? null;
}

/** Closing state per engagement, for lists (the dashboard). */
export async function closingStates(db: Kysely<Database>, engagementIds: string[]): Promise<Map<string, EngagementClosingRow>> {
	if (engagementIds.length === 0) return new Map();
	const rows = await db.selectFrom('engagement_closings').selectAll().where('engagement_id', 'in', engagementIds).execute();
	return new Map(rows.map((r) => [r.engagement_id, r]));
}

export async function evaluationsOf(db: Kysely<Database>, engagementId: string): Promise<Evaluation[]> {
	const rows = await db.selectFrom('closing_evaluations').selectAll().where('engagement_id', '=', engagementId).orderBy('created_at').execute();
	return rows.map((r) => {
		const a = JSON.parse(r.answers) as Record<EvaluationQuestion, number> & { comment: string; goals: Record<string, number> };
		return {
			userId: r.user_id,
			role: r.role,
			answers: { helpful: a.helpful, learning: a.learning, gained: a.gained, organisation: a.organisation },
			comment: a.comment,
			goals: a.goals,
			reflection: r.reflection,
			createdAt: Number(r.created_at)
		};
	});
}

export async function followUpsOf(db: Kysely<Database>, engagementId: string): Promise<{ userId: string; lasted: ClosingFollowUpRow['lasted']; notes: string; answeredAt: number }[]> {
	const rows = await db.selectFrom('closing_follow_ups').selectAll().where('engagement_id', '=', engagementId).orderBy('answered_at').execute();
	return rows.map((r) => ({ userId: r.user_id, lasted: r.lasted, notes: r.notes, answeredAt: Number(r.answered_at) }));
}

export async function storedReport(db: Kysely<Database>, engagementId: string): Promise<(Omit<EngagementReportRow, 'content'> & StoredReport) | null> {
	const row = await db.selectFrom('engagement_reports').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
	if (!row) return null;
	return { engagement_id: row.engagement_id, trigger: row.trigger, stored_at: Number(row.stored_at), ...(JSON.parse(row.content) as StoredReport) };
}

/** Stores the report once: a second store (a job run again after a crash) keeps the first. */
export async function storeReport(db: Kysely<Database>, row: EngagementReportRow): Promise<void> {
	await db.insertInto('engagement_reports').values(row).onConflict((oc) => oc.column('engagement_id').doNothing()).execute();
}
