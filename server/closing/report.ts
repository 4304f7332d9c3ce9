/**
 * The engagement report: one document for the whole engagement, built from
 * the contract's goals and their progress, the sessions held (with the
 * durations the room measured), the actions and learning points of every
 * summary, per-session feedback and the final evaluations. Each member gets
 * their own copy: the coach's adds their private reflections; a coachee's is
 * the summaries' coachee copy (in a group, only what the contract lets the
 * group share). The sponsor never reads a copy: they get a short version
 * (`sponsorText`) that the coachee approves first, as any sponsor update.
 */
import type { Kysely } from 'kysely';
import type { CoachingSessionRow, Database, EngagementKind } from '../store/index.ts';
import type { Member } from '../engagements/index.ts';
import type { EngagementRecord } from '../summary/index.ts';
import type { GroupSharing } from '../../shared/contract/body.ts';
import { CLOSE_REASON_WORDS, type EngagementReport } from '../../shared/closing/index.ts';
import type { ClosingSources, ProgressPoint } from './sources.ts';
import { closingOf, evaluationsOf, followUpsOf, type Evaluation } from './store.ts';

export interface ContractGoal {
	id: string;
	statement: string;
	targetDate: string;
}

export interface ReportDeps {
	db: Kysely<Database>;
	sources: ClosingSources;
	plan(engagementId: string): Promise<{ title: string; kind: EngagementKind } | null>;
	members(engagementId: string): Promise<Member[]>;
	goals(engagementId: string): Promise<ContractGoal[]>;
	sessionsOf(engagementId: string): Promise<CoachingSessionRow[]>;
	acrossEngagement(engagementId: string, role: Member['role'], readerId: string): Promise<EngagementRecord>;
	/** In a group, what the contract lets the coachees share of each other (null: one coachee). */
	groupSharing(engagementId: string): Promise<GroupSharing | null>;
}

const minutesOf = (s: Pick<CoachingSessionRow, 'started_at' | 'ended_at'>) => (s.started_at !== null && s.ended_at !== null ? Math.max(1, Math.round((s.ended_at - s.started_at) / 60_000)) : null);

/** The report as `reader` (a member) may read it; null when they are not a member. */
export async function buildReport(deps: ReportDeps, engagementId: string, readerId: string): Promise<EngagementReport | null> {
	const members = await deps.members(engagementId);
	const me = members.find((m) => m.userId === readerId);
	const plan = await deps.plan(engagementId);
	if (!me || !plan) return null;
	const [closing, evaluations, followUps, goals, sessions, record, progress, feedback] = await Promise.all([
		closingOf(deps.db, engagementId),
		evaluationsOf(deps.db, engagementId),
		followUpsOf(deps.db, engagementId),
		deps.goals(engagementId),
		deps.sessionsOf(engagementId),
		deps.acrossEngagement(engagementId, me.role, readerId),
		deps.sources.progressForReport(engagementId, readerId),
		deps.sources.feedbackForReport(engagementId, readerId)
	]);
	const isCoach = me.role === 'coach';
	// A group's coachee reads their own and the coach's evaluation and follow-up, never another coachee's; names as the contract lets them share.
	const sharing = isCoach ? null : await deps.groupSharing(engagementId);
	const otherCoachee = (id: string) => !isCoach && id !== readerId && members.some((m) => m.userId === id && m.role === 'coachee');
	const nameOf = (id: string) => (sharing && !sharing.names && otherCoachee(id) ? 'A group member' : (members.find((m) => m.userId === id)?.name ?? 'A former participant'));
	const numberOf = new Map(sessions.map((s) => [s.id, s.number]));
	const coachReflections = isCoach
		? [
				...feedback.filter((f) => f.private && f.fromId === readerId).map((f) => ({ sessionNumber: f.sessionId ? (numberOf.get(f.sessionId) ?? null) : null, text: f.text })),
				...evaluations.filter((e) => e.userId === readerId && e.reflection).map((e) => ({ sessionNumber: null, text: e.reflection }))
			]
		: null;
	return {
		engagement: { id: engagementId, title: plan.title, kind: plan.kind },
		reader: isCoach ? 'coach' : 'coachee',
		closedAt: closing?.state === 'closed' ? closing.closed_at : null,
		closeReason: closing?.state === 'closed' ? closing.reason : null,
		closeNote: closing?.state === 'closed' ? closing.note : null,
		people: members.filter((m) => !(sharing && !sharing.names && otherCoachee(m.userId))).map((m) => ({ userId: m.userId, name: m.name, role: m.role })),
		goals: goals.map((g) => goalProgress(g, progress, evaluations.filter((e) => !otherCoachee(e.userId)), nameOf, (id) => members.find((m) => m.userId === id)?.role)),
		sessions: sessions
			.filter((s) => s.status === 'ended')
			.sort((a, b) => a.scheduled_at - b.scheduled_at)
			.map((s) => ({ number: s.number, kind: s.kind, scheduledAt: s.scheduled_at, startedAt: s.started_at, endedAt: s.ended_at, minutes: minutesOf(s) })),
		actions: record.actions.filter((a) => a.status !== 'open').map(({ text, owner, status, sessionNumber }) => ({ text, owner, status, sessionNumber })),
		learningPoints: record.learningPoints,
		feedback: feedback.filter((f) => !f.private).map((f) => ({ sessionNumber: f.sessionId ? (numberOf.get(f.sessionId) ?? null) : null, fromName: nameOf(f.fromId), text: f.text, rating: f.rating })),
		evaluations: evaluations.filter((e) => !otherCoachee(e.userId)).map((e) => ({ name: nameOf(e.userId), role: e.role, answers: e.answers, comment: e.comment, at: e.createdAt })),
		followUps: followUps.filter((f) => !otherCoachee(f.userId)).map((f) => ({ name: nameOf(f.userId), lasted: f.lasted, notes: f.notes, at: f.answeredAt })),
		reflections: coachReflections
	};
}

/**
 * One goal with its ratings, each shown once. The progress feature is the
 * source of the ratings over time, close included (the evaluation records its
 * scores there), and it already leaves out what this reader may not see. An
 * evaluation's score stands in at close only for a rater with no close point
 * in progress (recording it there failed, and was logged): a group's coachee
 * is given only their own and the coach's evaluations.
 */
function goalProgress(g: ContractGoal, progress: ProgressPoint[], evaluations: Evaluation[], nameOf: (id: string) => string, roleOf: (id: string) => Member['role'] | undefined): EngagementReport['goals'][number] {
	const points = progress.filter((p) => p.goalId === g.id).sort((a, b) => a.at - b.at);
	const atClose = points.filter((p) => p.moment === 'close');
	const closed = new Set(atClose.map((p) => p.raterId));
	const stand = evaluations.filter((e) => !closed.has(e.userId) && e.goals[g.id] !== undefined);
	return {
		id: g.id,
		statement: g.statement,
		targetDate: g.targetDate,
		progress: points.filter((p) => p.moment !== 'close').map((p) => ({ raterName: nameOf(p.raterId), moment: p.moment, label: p.label, score: p.score, at: p.at })),
		atClose: [...atClose.map((p) => ({ raterName: nameOf(p.raterId), score: p.score, raterRole: roleOf(p.raterId) })), ...stand.map((e) => ({ raterName: nameOf(e.userId), score: e.goals[g.id]!, raterRole: e.role }))]
	};
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The sponsor's version: the goals with how each person rated them at close,
 * when sessions were held, and why it closed; never actions, learning
 * points, feedback or reflections. Drafted for the coachee to approve (and
 * edit), as every sponsor update. In a group every coachee reads the draft
 * and any one of them may approve it, so it carries the coach's ratings
 * only: no coachee's rating goes to another coachee or, on someone else's
 * approval, to the sponsor.
 */
export function sponsorText(r: EngagementReport, maxChars: number): string {
	const group = r.people.filter((p) => p.role === 'coachee').length > 1;
	const shown = (a: EngagementReport['goals'][number]['atClose']) => (group ? a.filter((x) => x.raterRole === 'coach') : a);
	const lines = [`The ${r.engagement.kind} "${r.engagement.title}" has closed${r.closedAt ? ` on ${day(r.closedAt)}` : ''}${r.closeReason ? ` (${CLOSE_REASON_WORDS[r.closeReason].toLowerCase()})` : ''}.`, ''];
	lines.push(`Sessions held: ${r.sessions.length}${r.sessions.length ? ` (${r.sessions.map((s) => day(s.scheduledAt)).join(', ')})` : ''}.`, '');
	if (r.goals.length) {
		lines.push(group ? 'Goals, rated 0 to 10 at the close by the coach (each coachee’s own rating stays with them):' : 'Goals, rated 0 to 10 at the close:');
		for (const g of r.goals) lines.push(`- ${g.statement}: ${shown(g.atClose).length ? shown(g.atClose).map((a) => `${a.raterName} ${a.score}`).join(', ') : 'not rated'}`);
	}
	const text = lines.join('\n');
	return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
