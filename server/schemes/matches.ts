/**
 * A proposed match and its states:
 *
 *   proposed --both accept--> placed --coordinator ends--> ended (feedback asked)
 *      |--either declines--> declined   (request back in the queue, reason kept)
 *      '--coordinator withdraws--> withdrawn (request back in the queue)
 *
 * Every step is a guarded update on the state it starts from, so two
 * coordinators proposing for one request, two tabs accepting, or an accept
 * after a withdrawal each get one winner and a clear refusal for the other.
 * A proposal takes one of the volunteer's places (`load < capacity`, guarded)
 * until it is declined, withdrawn or ended. Once both accepted, the
 * engagement is created through the engagements feature (after the
 * transaction: SQLite must not be asked through another connection inside
 * it); `finishPlacements` completes any placement a crash interrupted.
 */
import type { Kysely } from 'kysely';
import type { Database, SchemeMatchRow, SchemeRequestRow, SchemeRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { answerForm, feedbackForm } from '../../shared/schemes/index.ts';
import { z } from 'zod';
import { refuse, refusing, NO_MATCH, NO_REQUEST } from './rows.ts';
import { changeLoad, isCoordinator, schemeRow, volunteersChanged } from './setup.ts';
import { requestRow } from './requests.ts';

export type Enqueue = (trx: Kysely<Database>, kind: 'scheme_proposal' | 'scheme_placed' | 'scheme_declined' | 'scheme_feedback', match: SchemeMatchRow) => Promise<void>;

export const matchRow = (db: Kysely<Database>, id: string) => db.selectFrom('scheme_matches').selectAll().where('id', '=', id).executeTakeFirst();

const proposalForm = z.object({ volunteer: z.string({ error: 'Choose a volunteer.' }).min(1, 'Choose a volunteer.').max(64), note: z.string().trim().max(1000).default('') });

export async function propose(db: Kysely<Database>, requestId: string, userId: string, input: unknown, enqueue: Enqueue): Promise<Result<SchemeMatchRow>> {
	const request = await requestRow(db, requestId);
	if (!request || !(await isCoordinator(db, request.scheme_id, userId))) return fail('not_found', NO_REQUEST);
	const parsed = proposalForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const volunteerId = parsed.data.volunteer;
	if (volunteerId === request.user_id) return fail('invalid_input', 'A person cannot be matched with themselves.', 'volunteer');
	const now = Date.now();
	const match: SchemeMatchRow = {
		id: newId(), scheme_id: request.scheme_id, request_id: request.id, volunteer_id: volunteerId, requester_id: request.user_id, proposed_by: userId, proposed_at: now,
		note: parsed.data.note, state: 'proposed', volunteer_answer: null, volunteer_reason: null, volunteer_answered_at: null, requester_answer: null, requester_reason: null,
		requester_answered_at: null, engagement_id: null, closed_at: null
	};
	return refusing(() =>
		db.transaction().execute(async (trx) => {
			// Two coordinators at once: only one moves the request out of the queue.
			const taken = await trx.updateTable('scheme_requests').set({ status: 'proposed' }).where('id', '=', requestId).where('status', '=', 'open').executeTakeFirst();
			if (Number(taken.numUpdatedRows) !== 1) {
				const now = await trx.selectFrom('scheme_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow();
				refuse('conflict', now.status === 'proposed' ? 'Another coordinator has just proposed a match for this request. Reload to see it.' : `This request is ${now.status}; it is no longer in the queue.`);
			}
			const exists = await trx.selectFrom('scheme_volunteers').select(['capacity', 'load', 'complete']).where('scheme_id', '=', request.scheme_id).where('user_id', '=', volunteerId).executeTakeFirst();
			if (!exists) refuse('invalid_input', 'That person is not a volunteer of this scheme.', 'volunteer');
			const place = await changeLoad(trx, request.scheme_id, volunteerId, 1);
			if (Number(place.numUpdatedRows) !== 1) refuse('conflict', exists!.complete ? `This volunteer has no free place (${exists!.load} of ${exists!.capacity} taken).` : 'This volunteer has not filled in their profile yet.', 'volunteer');
			await trx.insertInto('scheme_matches').values(match).execute();
			await enqueue(trx, 'scheme_proposal', match);
			return ok(match);
		})
	);
}

/** The coordinator takes a proposal back before both accepted; the request returns to the queue. */
export async function withdrawMatch(db: Kysely<Database>, matchId: string, userId: string): Promise<Result<SchemeMatchRow>> {
	const m = await matchRow(db, matchId);
	if (!m || !(await isCoordinator(db, m.scheme_id, userId))) return fail('not_found', NO_MATCH);
	return refusing(() =>
		db.transaction().execute(async (trx) => {
			const done = await trx.updateTable('scheme_matches').set({ state: 'withdrawn', closed_at: Date.now() }).where('id', '=', matchId).where('state', '=', 'proposed').executeTakeFirst();
			if (Number(done.numUpdatedRows) !== 1) refuse('conflict', `This match is ${m.state} and can no longer be withdrawn.`);
			await trx.updateTable('scheme_requests').set({ status: 'open' }).where('id', '=', m.request_id).where('status', '=', 'proposed').execute();
			await changeLoad(trx, m.scheme_id, m.volunteer_id, -1);
			return ok({ ...m, state: 'withdrawn' as const });
		})
	);
}

const side = (m: SchemeMatchRow, userId: string) => (m.volunteer_id === userId ? 'volunteer' : m.requester_id === userId ? 'requester' : null);

function stateProblem(m: SchemeMatchRow, mine: 'accept' | 'decline' | null): never {
	if (m.state === 'withdrawn') refuse('gone', 'This match was withdrawn by the coordinator.');
	if (m.state === 'declined') refuse('gone', 'This match was declined and will not go ahead.');
	if (mine) refuse('conflict', `You already ${mine === 'accept' ? 'accepted' : 'declined'} this match.`);
	refuse('conflict', `This match is ${m.state}.`);
	throw new Error('unreachable');
}

/** Accept or decline, once per side. The second acceptance places the match; a decline sends the request back to the queue. */
export async function answer(db: Kysely<Database>, matchId: string, userId: string, input: unknown, enqueue: Enqueue): Promise<Result<SchemeMatchRow>> {
	const m = await matchRow(db, matchId);
	const who = m && side(m, userId);
	if (!m || !who) return fail('not_found', NO_MATCH);
	const parsed = answerForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const { answer: a, reason } = parsed.data;
	const now = Date.now();
	const cols = who === 'volunteer' ? ({ answer: 'volunteer_answer', reason: 'volunteer_reason', at: 'volunteer_answered_at' } as const) : ({ answer: 'requester_answer', reason: 'requester_reason', at: 'requester_answered_at' } as const);
	return refusing(() =>
		db.transaction().execute(async (trx) => {
			const done = await trx
				.updateTable('scheme_matches')
				.set({ [cols.answer]: a, [cols.reason]: reason || null, [cols.at]: now })
				.where('id', '=', matchId)
				.where('state', '=', 'proposed')
				.where(cols.answer, 'is', null)
				.executeTakeFirst();
			if (Number(done.numUpdatedRows) !== 1) {
				const current = await trx.selectFrom('scheme_matches').selectAll().where('id', '=', matchId).executeTakeFirstOrThrow();
				stateProblem(current, current[cols.answer]);
			}
			const after = await trx.selectFrom('scheme_matches').selectAll().where('id', '=', matchId).executeTakeFirstOrThrow();
			if (a === 'decline') {
				await trx.updateTable('scheme_matches').set({ state: 'declined', closed_at: now }).where('id', '=', matchId).execute();
				await trx.updateTable('scheme_requests').set({ status: 'open' }).where('id', '=', m.request_id).where('status', '=', 'proposed').execute();
				await changeLoad(trx, m.scheme_id, m.volunteer_id, -1);
				const declined = { ...after, state: 'declined' as const, closed_at: now };
				await enqueue(trx, 'scheme_declined', declined);
				return ok(declined);
			}
			if (after.volunteer_answer === 'accept' && after.requester_answer === 'accept') {
				await trx.updateTable('scheme_matches').set({ state: 'placed' }).where('id', '=', matchId).where('state', '=', 'proposed').execute();
				await trx.updateTable('scheme_requests').set({ status: 'placed', placed_at: now }).where('id', '=', m.request_id).execute();
				return ok({ ...after, state: 'placed' as const });
			}
			return ok(after);
		})
	);
}

/** What placing needs of the engagements feature (its public surface only). */
export interface Placing {
	/** Creates the engagement from the scheme's template with both people in it and suggests an introductory meeting; returns its id. */
	createEngagement(scheme: SchemeRow, request: SchemeRequestRow, match: SchemeMatchRow): Promise<string>;
}

/** Creates the engagement of a placed match that has none yet, then queues the "placed" emails. Safe to run twice. */
export async function finishPlacement(db: Kysely<Database>, matchId: string, placing: Placing, enqueue: Enqueue): Promise<SchemeMatchRow | null> {
	const m = await matchRow(db, matchId);
	if (!m || m.state !== 'placed') return m ?? null;
	if (m.engagement_id) return m;
	const [scheme, request] = await Promise.all([schemeRow(db, m.scheme_id), requestRow(db, m.request_id)]);
	if (!scheme || !request) return m;
	const engagementId = await placing.createEngagement(scheme, request, m);
	return db.transaction().execute(async (trx) => {
		const set = await trx.updateTable('scheme_matches').set({ engagement_id: engagementId }).where('id', '=', matchId).where('engagement_id', 'is', null).executeTakeFirst();
		const placed = { ...m, engagement_id: engagementId };
		if (Number(set.numUpdatedRows) === 1) await enqueue(trx, 'scheme_placed', placed);
		return placed;
	});
}

export async function unfinishedPlacements(db: Kysely<Database>): Promise<string[]> {
	return (await db.selectFrom('scheme_matches').select('id').where('state', '=', 'placed').where('engagement_id', 'is', null).execute()).map((r) => r.id);
}

/** The coordinator closes a placement once the coaching is over: the place is freed and both are asked for feedback. */
export async function endPlacement(db: Kysely<Database>, matchId: string, userId: string, enqueue: Enqueue): Promise<Result<SchemeMatchRow>> {
	const m = await matchRow(db, matchId);
	if (!m || !(await isCoordinator(db, m.scheme_id, userId))) return fail('not_found', NO_MATCH);
	return refusing(() =>
		db.transaction().execute(async (trx) => {
			const now = Date.now();
			const done = await trx.updateTable('scheme_matches').set({ state: 'ended', closed_at: now }).where('id', '=', matchId).where('state', '=', 'placed').executeTakeFirst();
			if (Number(done.numUpdatedRows) !== 1) refuse('conflict', `This match is ${m.state}; only a placement can be ended.`);
			await changeLoad(trx, m.scheme_id, m.volunteer_id, -1);
			const ended = { ...m, state: 'ended' as const, closed_at: now };
			await enqueue(trx, 'scheme_feedback', ended);
			return ok(ended);
		})
	);
}

/** Feedback after the placement, once per person; stored by schemes and shown only as aggregates. */
export async function giveFeedback(db: Kysely<Database>, matchId: string, userId: string, input: unknown): Promise<Result<null>> {
	const m = await matchRow(db, matchId);
	const who = m && side(m, userId);
	if (!m || !who) return fail('not_found', NO_MATCH);
	if (m.state !== 'ended') return fail('conflict', 'Feedback opens once the coordinator has closed the placement.');
	const parsed = feedbackForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	return db.transaction().execute(async (trx) => {
		const inserted = await trx
			.insertInto('scheme_feedback')
			.values({ match_id: matchId, user_id: userId, role: who === 'volunteer' ? 'coach' : 'coachee', ...parsed.data, created_at: Date.now() })
			.onConflict((oc) => oc.columns(['match_id', 'user_id']).doNothing())
			.executeTakeFirst();
		if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return fail('conflict', 'You have already given feedback on this placement. Thank you.');
		// A coachee's rating moves the coach in later rankings.
		if (who === 'requester') await volunteersChanged(trx, m.scheme_id);
		return ok(null);
	});
}
