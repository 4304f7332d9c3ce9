/**
 * Requests from coachees and mentees: what they want to develop, why now,
 * their preferences, and the readiness check (a clear idea of what they want;
 * an informed commitment to the scheme's sessions, which the form shows
 * them). One open request per person per scheme. Suggestions for a request
 * come from `ranking.ts` over the scheme's volunteers with a free place.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database, SchemeRequestRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { requestForm } from '../../shared/schemes/index.ts';
import { rank, wordsOf, zoneOffsetMinutes, type Candidate, type Suggestion } from './ranking.ts';
import { list, NO_SCHEME } from './rows.ts';
import { changeLoad, schemeRow } from './setup.ts';

export const requestRow = (db: Kysely<Database>, id: string) => db.selectFrom('scheme_requests').selectAll().where('id', '=', id).executeTakeFirst();

export async function submitRequest(db: Kysely<Database>, schemeId: string, userId: string, input: unknown, enqueue: (trx: Kysely<Database>, r: SchemeRequestRow) => Promise<void>): Promise<Result<SchemeRequestRow>> {
	const scheme = await schemeRow(db, schemeId);
	if (!scheme) return fail('not_found', NO_SCHEME);
	const parsed = requestForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const f = parsed.data;
	if (scheme.kinds !== 'both' && scheme.kinds !== f.kind) return fail('invalid_input', `This scheme offers ${scheme.kinds} only.`, 'kind');
	const offered = new Set(list(scheme.areas));
	const areas = f.areas.filter((a) => offered.has(a));
	const row: SchemeRequestRow = {
		id: newId(),
		scheme_id: schemeId,
		user_id: userId,
		kind: f.kind,
		develop: f.develop,
		why_now: f.whyNow,
		success: f.success,
		clarity: f.clarity,
		commitment: f.commitment,
		areas: JSON.stringify(areas),
		languages: JSON.stringify(f.languages),
		time_zone: f.timeZone,
		status: 'open',
		created_at: Date.now(),
		placed_at: null
	};
	return db.transaction().execute(async (trx) => {
		const pending = await trx.selectFrom('scheme_requests').select('id').where('scheme_id', '=', schemeId).where('user_id', '=', userId).where('status', 'in', ['open', 'proposed']).executeTakeFirst();
		if (pending) return fail('conflict', 'You already have a request waiting in this scheme; withdraw it first to make a new one.');
		await trx.insertInto('scheme_requests').values(row).execute();
		await enqueue(trx, row);
		return ok(row);
	});
}

/** The requester withdraws; a match waiting for answers is withdrawn with it and its place freed. */
export async function withdrawRequest(db: Kysely<Database>, requestId: string, userId: string): Promise<Result<{ schemeId: string }>> {
	const r = await requestRow(db, requestId);
	if (!r || r.user_id !== userId) return fail('not_found', 'No such request.');
	return db.transaction().execute(async (trx) => {
		const done = await trx.updateTable('scheme_requests').set({ status: 'withdrawn' }).where('id', '=', requestId).where('status', 'in', ['open', 'proposed']).executeTakeFirst();
		if (Number(done.numUpdatedRows) !== 1) return fail('conflict', r.status === 'placed' ? 'This request is already placed.' : 'This request was already withdrawn.');
		const open = await trx.selectFrom('scheme_matches').select(['id', 'volunteer_id']).where('request_id', '=', requestId).where('state', '=', 'proposed').execute();
		for (const m of open) {
			await trx.updateTable('scheme_matches').set({ state: 'withdrawn', closed_at: Date.now() }).where('id', '=', m.id).execute();
			await changeLoad(trx, r.scheme_id, m.volunteer_id, -1);
		}
		return ok({ schemeId: r.scheme_id });
	});
}

/** Coachees' mean "was your coach helpful" rating per volunteer in this scheme. */
export async function feedbackByVolunteer(db: Kysely<Database>, schemeId: string): Promise<Map<string, { mean: number; count: number }>> {
	const rows = await db
		.selectFrom('scheme_feedback as f')
		.innerJoin('scheme_matches as m', 'm.id', 'f.match_id')
		.select(['m.volunteer_id', (e) => e.fn.avg<number | string>('f.helpful').as('mean'), (e) => e.fn.count<number | string>('f.helpful').as('count')])
		.where('m.scheme_id', '=', schemeId)
		.where('f.role', '=', 'coachee')
		.groupBy('m.volunteer_id')
		.execute();
	return new Map(rows.map((r) => [r.volunteer_id, { mean: Number(r.mean), count: Number(r.count) }]));
}

/**
 * A scheme's suggestible volunteers as ranking reads them, parsed, with the
 * revision they were read at. Anything ranking reads (a profile, a load, a
 * rating) bumps `schemes.volunteers_rev` in its own transaction, so while
 * nothing changed a request's suggestions cost one small read, in every
 * process sharing the database. After a change, capacity, load and ratings
 * are read afresh and only profiles edited since (by `updated_at`) are parsed
 * again. The revision is read first: a change landing during the refresh only
 * makes the next request refresh again.
 */
type Parsed = Candidate & { zone: string; updatedAt: number };
interface Pool {
	rev: number;
	hour: number;
	byUser: Map<string, Parsed>;
	candidates: Parsed[];
}
const pools = new Map<string, Pool>();
const HOUR = 60 * 60_000;
/** Past this many edited profiles one read of them all beats reading them by id. */
const REREAD_ALL = 500;

const profileColumns = ['user_id', 'updated_at', 'kinds', 'areas', 'free_words', 'languages', 'time_zone'] as const;

async function poolOf(db: Kysely<Database>, schemeId: string, at: number): Promise<Pool> {
	const rev = (await db.selectFrom('schemes').select('volunteers_rev').where('id', '=', schemeId).executeTakeFirst())?.volunteers_rev ?? 0;
	const hour = Math.floor(at / HOUR);
	const pool = pools.get(schemeId) ?? { rev: -1, hour, byUser: new Map<string, Parsed>(), candidates: [] };
	if (pool.rev !== rev) {
		const [slim, feedback] = await Promise.all([
			db
				.selectFrom('scheme_volunteers')
				.select(['user_id', 'updated_at', 'capacity', 'load'])
				.where('scheme_id', '=', schemeId)
				.where('complete', '=', 1)
				.whereRef('load', '<', 'capacity')
				.orderBy('joined_at')
				.orderBy('user_id')
				.execute(),
			feedbackByVolunteer(db, schemeId)
		]);
		const stale = slim.filter((v) => pool.byUser.get(v.user_id)?.updatedAt !== v.updated_at).map((v) => v.user_id);
		const base = db.selectFrom('scheme_volunteers').select(profileColumns).where('scheme_id', '=', schemeId);
		const rows = stale.length > REREAD_ALL ? await base.where('complete', '=', 1).execute() : stale.length ? await base.where('user_id', 'in', stale).execute() : [];
		for (const v of rows) {
			pool.byUser.set(v.user_id, {
				userId: v.user_id, kinds: v.kinds, areas: list(v.areas), words: new Set(wordsOf(v.free_words)), languages: list(v.languages).map((l) => l.toLowerCase()),
				zone: v.time_zone, offsetMinutes: zoneOffsetMinutes(v.time_zone, at), updatedAt: v.updated_at, capacity: 0, load: 0, feedback: null
			});
		}
		pool.candidates = slim.flatMap((v) => {
			const p = pool.byUser.get(v.user_id);
			// Edited between the two reads: refreshed with the next revision.
			if (!p || p.updatedAt !== v.updated_at) return [];
			p.capacity = v.capacity;
			p.load = v.load;
			p.feedback = feedback.get(v.user_id) ?? null;
			return [p];
		});
		pool.rev = rev;
		if (!pools.has(schemeId) && pools.size >= limits.schemes.cachedPools) pools.clear();
		pools.set(schemeId, pool);
	}
	if (pool.hour !== hour) {
		// Offsets follow the zones' rules (daylight saving) hour by hour.
		for (const c of pool.byUser.values()) c.offsetMinutes = zoneOffsetMinutes(c.zone, at);
		pool.hour = hour;
	}
	return pool;
}

/** Ranked suggestions for one request (no access check: callers check the coordinator). */
export async function suggestionsFor(db: Kysely<Database>, request: SchemeRequestRow, at = Date.now()): Promise<Suggestion[]> {
	const [pool, past] = await Promise.all([poolOf(db, request.scheme_id, at), db.selectFrom('scheme_matches').select(['volunteer_id', 'state', 'volunteer_answer']).where('request_id', '=', request.id).execute()]);
	// Not suggested again: a volunteer who declined this request, or the one it is proposed to or placed with now.
	const exclude = new Set([request.user_id, ...past.filter((m) => m.volunteer_answer === 'decline' || m.state === 'proposed' || m.state === 'placed').map((m) => m.volunteer_id)]);
	const wanted = {
		kind: request.kind,
		areas: list(request.areas),
		words: wordsOf(`${request.develop} ${request.why_now} ${request.success}`),
		languages: list(request.languages).map((l) => l.toLowerCase()),
		offsetMinutes: zoneOffsetMinutes(request.time_zone, at),
		exclude
	};
	return rank(wanted, pool.candidates, limits.schemes.suggestions);
}
