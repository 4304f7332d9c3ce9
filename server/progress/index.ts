/**
 * Goal progress (issue 14, part 1): each goal of the contract in force rated
 * 0 to 10 by the coachee and by the coach separately, at a moment: at
 * contracting (`baseline`), after a session (`session`, with its id), at
 * close (`close`) and at a follow-up (`follow_up`). One rating per person,
 * goal and moment; rating again replaces it (the point keeps its place in
 * time). This folder owns `goal_ratings`.
 *
 * What other features call (the closing feature calls the first two):
 *
 * - `recordRatings({ engagementId, raterId, moment, sessionId?, scores })`:
 *   `scores` maps goal ids of the contract in force to whole numbers 0-10.
 *   Refused, and nothing stored, when: the input is malformed or a score is
 *   out of range (`invalid_input`); the rater is not the coach or a coachee
 *   of the engagement (`not_found`); no contract is in force (`conflict`); a
 *   goal id is not in it (`invalid_input`, naming the goal); `session`
 *   without a session of this engagement that has ended (`invalid_input` /
 *   `conflict`). Returns how many scores were stored.
 * - `series(engagementId, viewerId)`: the contract's goals and the ratings
 *   the viewer may see, oldest first, or null for anyone outside the
 *   engagement. The coach sees every line; a coachee sees their own and the
 *   coach's (in a group, never another coachee's).
 *
 * Sponsors see no progress at all: the contract's sharing section has no
 * choice for it, so nothing says the coachee agreed, and the default is none.
 * A sponsor, a scheme coordinator or a stranger gets null (the pages: 404).
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../log/index.ts';
import type { Database, GoalRatingRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { newId } from '../auth/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { sessionName } from '../../shared/sessions.ts';
import { momentWords, ratingsInput, scoresFromForm, type ProgressGoal, type ProgressPoint, type ProgressSeries, type RatingMoment } from '../../shared/progress/index.ts';

export type { ProgressSeries, ProgressPoint, ProgressGoal, RatingMoment } from '../../shared/progress/index.ts';

/** What a person's rating form shows: the moment it is for and each goal with the score they gave it then. */
export interface RatingForm {
	moment: RatingMoment;
	sessionId: string | null;
	label: string;
	goals: (ProgressGoal & { score: number | null })[];
}

export interface Progress {
	recordRatings(input: unknown): Promise<Result<{ recorded: number }>>;
	series(engagementId: string, viewerId: string): Promise<ProgressSeries | null>;
	/**
	 * The viewer's form: for a session (`sessionId`), or "rate progress now",
	 * which is the baseline until a contracted session has ended and the latest
	 * ended session after. Null for non-members or without a contract in force.
	 */
	ratingForm(engagementId: string, userId: string, sessionId?: string): Promise<RatingForm | null>;
	/** A page's form (`moment`, `sessionId`, `score.<goalId>` fields), for the signed-in user. */
	rate(engagementId: string, userId: string, form: Record<string, string>): Promise<Result<{ recorded: number }>>;
}

export interface ProgressDeps {
	db: Kysely<Database>;
	log: Logger;
	engagements: Pick<Engagements, 'membership' | 'members' | 'sessionsOf'>;
	/** The goals of the contract in force and its version; null when none is in force. */
	contractGoals(engagementId: string): Promise<{ version: number; goals: ProgressGoal[] } | null>;
}

const pointOf = (moment: RatingMoment, sessionId: string | undefined) => (moment === 'session' ? `session:${sessionId}` : moment);

export function createProgress(deps: ProgressDeps): Progress {
	const { db, engagements } = deps;
	const log = deps.log.child({ feature: 'progress' });

	async function recordRatings(input: unknown): Promise<Result<{ recorded: number }>> {
		// Membership first: someone outside the engagement learns nothing from a form error.
		const who = ratingsInput.pick({ engagementId: true, raterId: true }).safeParse(input);
		if (!who.success) return invalidForm(who.error);
		const m = await engagements.membership(who.data.raterId, { engagementId: who.data.engagementId });
		if (!m) return fail('not_found', 'No such engagement.');
		const parsed = ratingsInput.safeParse(input);
		if (!parsed.success) return invalidForm(parsed.error);
		const { engagementId, raterId, moment, sessionId, scores } = parsed.data;
		const contract = await deps.contractGoals(engagementId);
		if (!contract) return fail('conflict', 'Goals are rated against the contract in force: draft the contract and have everyone accept it first.');
		const known = new Set(contract.goals.map((g) => g.id));
		const ids = Object.keys(scores);
		if (ids.length === 0) return fail('invalid_input', 'Rate at least one goal from 0 to 10.');
		const unknown = ids.find((id) => !known.has(id));
		if (unknown !== undefined) return fail('invalid_input', `“${unknown.slice(0, 40)}” is not a goal of the contract in force; reload the page to see its goals.`, `score.${unknown.slice(0, 40)}`);
		let at = Date.now();
		if (moment === 'session') {
			if (!sessionId) return fail('invalid_input', 'Say which session this rating is after.', 'sessionId');
			const session = (await engagements.sessionsOf(engagementId)).find((s) => s.id === sessionId);
			if (!session) return fail('invalid_input', 'That session is not one of this engagement.', 'sessionId');
			if (session.status !== 'ended') return fail('conflict', 'Progress after a session is rated once the session has ended.', 'sessionId');
			at = session.ended_at ?? at;
		} else if (sessionId) return fail('invalid_input', 'Only a rating after a session names a session.', 'sessionId');
		const now = Date.now();
		const role = m.role === 'coach' ? 'coach' : 'coachee';
		await db.transaction().execute(async (trx) => {
			for (const goalId of ids) {
				const row: GoalRatingRow = {
					id: newId(),
					engagement_id: engagementId,
					rater_id: raterId,
					role,
					goal_id: goalId,
					moment,
					point: pointOf(moment, sessionId),
					session_id: moment === 'session' ? sessionId! : null,
					contract_version: contract.version,
					score: scores[goalId]!,
					at,
					created_at: now,
					updated_at: now
				};
				await trx
					.insertInto('goal_ratings')
					.values(row)
					.onConflict((oc) => oc.columns(['engagement_id', 'rater_id', 'goal_id', 'point']).doUpdateSet({ score: row.score, contract_version: row.contract_version, updated_at: now }))
					.execute();
			}
		});
		log.info({ engagement: engagementId, rater: raterId, moment, session: sessionId, goals: ids.length }, 'goal progress rated');
		return ok({ recorded: ids.length });
	}

	async function visibleRows(engagementId: string, viewerId: string) {
		const m = await engagements.membership(viewerId, { engagementId });
		if (!m) return null;
		let q = db.selectFrom('goal_ratings').selectAll().where('engagement_id', '=', engagementId);
		// A coachee sees their own line and the coach's, never another coachee's.
		if (m.role !== 'coach') q = q.where((eb) => eb.or([eb('rater_id', '=', viewerId), eb('role', '=', 'coach')]));
		return { m, rows: await q.orderBy('at').orderBy('created_at').execute() };
	}

	async function series(engagementId: string, viewerId: string): Promise<ProgressSeries | null> {
		const seen = await visibleRows(engagementId, viewerId);
		if (!seen) return null;
		const contract = await deps.contractGoals(engagementId);
		const goals = contract?.goals ?? [];
		const inContract = new Set(goals.map((g) => g.id));
		const [members, sessions] = await Promise.all([engagements.members(engagementId), engagements.sessionsOf(engagementId)]);
		const names = new Map(members.map((p) => [p.userId, p.name]));
		const sessionById = new Map(sessions.map((s) => [s.id, s]));
		const planned = seen.m.engagement.planned_sessions;
		const labelOf = (r: GoalRatingRow) => {
			const s = r.session_id ? sessionById.get(r.session_id) : undefined;
			return r.moment === 'session' && s ? sessionName(s, planned) : momentWords[r.moment];
		};
		const points: ProgressPoint[] = seen.rows
			.filter((r) => inContract.has(r.goal_id))
			.map((r) => ({ goalId: r.goal_id, raterId: r.rater_id, raterRole: r.role, raterName: names.get(r.rater_id) ?? 'A former participant', moment: r.moment, sessionId: r.session_id, label: labelOf(r), at: r.at, score: r.score }));
		return { goals, points };
	}

	async function ratingForm(engagementId: string, userId: string, sessionId?: string): Promise<RatingForm | null> {
		const m = await engagements.membership(userId, { engagementId });
		if (!m) return null;
		const contract = await deps.contractGoals(engagementId);
		if (!contract || contract.goals.length === 0) return null;
		const sessions = await engagements.sessionsOf(engagementId);
		let session = sessionId ? sessions.find((s) => s.id === sessionId && s.status === 'ended') : undefined;
		if (sessionId && !session) return null;
		if (!sessionId) session = sessions.filter((s) => s.kind === 'session' && s.status === 'ended').sort((a, b) => (b.ended_at ?? 0) - (a.ended_at ?? 0))[0];
		const moment: RatingMoment = session ? 'session' : 'baseline';
		const point = pointOf(moment, session?.id);
		const mine = await db.selectFrom('goal_ratings').select(['goal_id', 'score']).where('engagement_id', '=', engagementId).where('rater_id', '=', userId).where('point', '=', point).execute();
		const scores = new Map(mine.map((r) => [r.goal_id, r.score]));
		return {
			moment,
			sessionId: session?.id ?? null,
			label: session ? sessionName(session, m.engagement.planned_sessions) : momentWords.baseline,
			goals: contract.goals.map((g) => ({ ...g, score: scores.get(g.id) ?? null }))
		};
	}

	return {
		recordRatings,
		series,
		ratingForm,
		async rate(engagementId, userId, form) {
			if (!(await engagements.membership(userId, { engagementId }))) return fail('not_found', 'No such engagement.');
			const scores = scoresFromForm(form);
			if (typeof scores === 'string') return fail('invalid_input', scores);
			const moment = form.moment ?? '';
			return recordRatings({ engagementId, raterId: userId, moment, ...(form.sessionId ? { sessionId: form.sessionId } : {}), scores });
		}
	};
}
