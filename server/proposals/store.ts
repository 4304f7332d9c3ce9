/**
 * The proposals tables, read and written only here. Rows become `Proposal`
 * values with their JSON parsed, so nothing outside sees the storage shape.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, EngagementKind, ProposalRow, ProposalStatus } from '../store/index.ts';
import type { ScopingAnswers } from '../../shared/scoping/index.ts';

export type Db = Kysely<Database> | Transaction<Database>;

export interface Proposal {
	id: string;
	coachId: string;
	kind: EngagementKind;
	title: string;
	request: string;
	prospect: { name: string; email: string };
	sponsor: { name: string; email: string };
	coachQuestions: string[];
	status: ProposalStatus;
	answers: ScopingAnswers | null;
	answeredAt: number | null;
	decidedAt: number | null;
	decisionNote: string | null;
	declineMessage: string | null;
	engagementId: string | null;
	origin: string;
	createdAt: number;
}

export function toProposal(r: ProposalRow): Proposal {
	return {
		id: r.id,
		coachId: r.coach_id,
		kind: r.kind,
		title: r.title,
		request: r.request,
		prospect: { name: r.prospect_name, email: r.prospect_email },
		sponsor: { name: r.sponsor_name, email: r.sponsor_email },
		coachQuestions: JSON.parse(r.coach_questions) as string[],
		status: r.status,
		answers: r.answers === null ? null : (JSON.parse(r.answers) as ScopingAnswers),
		answeredAt: r.answered_at,
		decidedAt: r.decided_at,
		decisionNote: r.decision_note,
		declineMessage: r.decline_message,
		engagementId: r.engagement_id,
		origin: r.origin,
		createdAt: r.created_at
	};
}

export async function findProposal(db: Db, id: string, lock = false): Promise<Proposal | null> {
	let q = db.selectFrom('proposals').selectAll().where('id', '=', id);
	if (lock) q = q.forUpdate();
	const row = await q.executeTakeFirst();
	return row ? toProposal(row) : null;
}

/** A guarded change of state: only from one of `from`, so two tabs racing cannot both decide. True when it changed. */
export async function moveProposal(db: Db, id: string, from: ProposalStatus[], patch: Partial<ProposalRow>): Promise<boolean> {
	const r = await db.updateTable('proposals').set(patch).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}
