/**
 * Requests from coachees and mentees: what they want to develop, why now,
 * their preferences, and the readiness check (a clear idea of what they want;
 * an informed commitment to the scheme's sessions, which the form shows
 * them). One open request per person per scheme. Suggestions for a request
 * come from `ranking.ts` over the scheme's volunteers with a free place.
 */
import { sql, type Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database, SchemeRequestRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { requestForm } from '../../shared/schemes/index.ts';
import { rank, wordsOf, zoneOffsetMinutes, type Candidate, type Suggestion } from './ranking.ts';
import { list, NO_SCHEME } from './rows.ts';
import { schemeRow } from './setup.ts';

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
			await trx.updateTable('scheme_volunteers').set({ load: sql<number>`load - 1` }).where('scheme_id', '=', r.scheme_id).where('user_id', '=', m.volunteer_id).where('load', '>', 0).execute();
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

type Parsed = Pick<Candidate, 'kinds' | 'areas' | 'words' | 'languages'> & { zone: string; updatedAt: number };

/**
 * Parsed profiles, by scheme and volunteer, kept while their `updated_at` is
 * the same: the expensive part of reading 10,000 profiles is parsing them,
 * and capacity and load (which change with every proposal) are read fresh.
 */
const parsedProfiles = new Map<string, Parsed>();

function parsedProfile(schemeId: string, v: { user_id: string; updated_at: number; kinds: Candidate['kinds']; areas: string; free_words: string; languages: string; time_zone: string }): Parsed {
	const key = `${schemeId}:${v.user_id}`;
	const hit = parsedProfiles.get(key);
	if (hit && hit.updatedAt === v.updated_at) return hit;
	if (parsedProfiles.size >= limits.schemes.parsedProfiles) parsedProfiles.clear();
	const parsed: Parsed = { kinds: v.kinds, areas: list(v.areas), words: new Set(wordsOf(v.free_words)), languages: list(v.languages).map((l) => l.toLowerCase()), zone: v.time_zone, updatedAt: v.updated_at };
	parsedProfiles.set(key, parsed);
	return parsed;
}

/** Ranked suggestions for one request (no access check: callers check the coordinator). */
export async function suggestionsFor(db: Kysely<Database>, request: SchemeRequestRow, at = Date.now()): Promise<Suggestion[]> {
	const [volunteers, feedback, past] = await Promise.all([
		db
			.selectFrom('scheme_volunteers')
			.select(['user_id', 'updated_at', 'capacity', 'load'])
			.where('scheme_id', '=', request.scheme_id)
			.where('complete', '=', 1)
			.whereRef('load', '<', 'capacity')
			.orderBy('joined_at')
			.orderBy('user_id')
			.execute(),
		feedbackByVolunteer(db, request.scheme_id),
		db.selectFrom('scheme_matches').select(['volunteer_id', 'state', 'volunteer_answer']).where('request_id', '=', request.id).execute()
	]);
	const stale = volunteers.filter((v) => parsedProfiles.get(`${request.scheme_id}:${v.user_id}`)?.updatedAt !== v.updated_at).map((v) => v.user_id);
	for (let i = 0; i < stale.length; i += 500) {
		const rows = await db
			.selectFrom('scheme_volunteers')
			.select(['user_id', 'updated_at', 'kinds', 'areas', 'free_words', 'languages', 'time_zone'])
			.where('scheme_id', '=', request.scheme_id)
			.where('user_id', 'in', stale.slice(i, i + 500))
			.execute();
		for (const r of rows) parsedProfile(request.scheme_id, r);
	}
	// Not suggested again: a volunteer who declined this request, or the one it is proposed to now.
	const exclude = new Set([request.user_id, ...past.filter((m) => m.volunteer_answer === 'decline' || m.state === 'proposed' || m.state === 'placed').map((m) => m.volunteer_id)]);
	const candidates: Candidate[] = [];
	for (const v of volunteers) {
		const p = parsedProfiles.get(`${request.scheme_id}:${v.user_id}`);
		// Edited between the two reads: it is read again next time.
		if (!p) continue;
		candidates.push({ userId: v.user_id, kinds: p.kinds, areas: p.areas, words: p.words, languages: p.languages, offsetMinutes: zoneOffsetMinutes(p.zone, at), capacity: v.capacity, load: v.load, feedback: feedback.get(v.user_id) ?? null });
	}
	const wanted = {
		kind: request.kind,
		areas: list(request.areas),
		words: wordsOf(`${request.develop} ${request.why_now} ${request.success}`),
		languages: list(request.languages).map((l) => l.toLowerCase()),
		offsetMinutes: zoneOffsetMinutes(request.time_zone, at),
		exclude
	};
	return rank(wanted, candidates, limits.schemes.suggestions);
}
