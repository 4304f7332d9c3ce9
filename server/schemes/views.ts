/**
 * What each person sees of a scheme. The coordinator's overview holds
 * placements by state, capacity in use, time to match and feedback totals,
 * and never anything of an engagement beyond that it exists: no sessions,
 * notes, actions, prompts, summaries or pad (this feature cannot read them).
 */
import type { Kysely } from 'kysely';
import type { Database, SchemeMatchRow, SchemeRequestRow, SchemeRow, SchemeVolunteerRow } from '../store/index.ts';
import { MATCH_STATES, REQUEST_STATUSES, readinessOf, type MatchState, type Readiness, type RequestStatus } from '../../shared/schemes/index.ts';
import { list, type Person } from './rows.ts';
import { coordinatorsOf } from './setup.ts';

export interface SchemeSummary {
	id: string;
	name: string;
	purpose: string;
	kinds: SchemeRow['kinds'];
	areas: string[];
	covers: string;
	excludes: string;
	maxMonths: number;
	expectedSessions: number;
	frequency: SchemeRow['frequency'];
	sessionMinutes: number;
}

export const summaryOf = (s: SchemeRow): SchemeSummary => ({
	id: s.id,
	name: s.name,
	purpose: s.purpose,
	kinds: s.kinds,
	areas: list(s.areas),
	covers: s.covers,
	excludes: s.excludes,
	maxMonths: s.max_months,
	expectedSessions: s.expected_sessions,
	frequency: s.frequency,
	sessionMinutes: s.session_minutes
});

export interface RequestView {
	id: string;
	requester: string;
	kind: SchemeRequestRow['kind'];
	develop: string;
	whyNow: string;
	success: string;
	areas: string[];
	languages: string[];
	timeZone: string;
	status: RequestStatus;
	createdAt: number;
	readiness: Readiness;
}

export const requestViewOf = (r: SchemeRequestRow, requester: string): RequestView => ({
	id: r.id,
	requester,
	kind: r.kind,
	develop: r.develop,
	whyNow: r.why_now,
	success: r.success,
	areas: list(r.areas),
	languages: list(r.languages),
	timeZone: r.time_zone,
	status: r.status,
	createdAt: r.created_at,
	readiness: readinessOf(r)
});

export interface ProfileView {
	userId: string;
	name: string;
	kinds: SchemeVolunteerRow['kinds'];
	areas: string[];
	freeWords: string;
	experience: string;
	qualifications: string;
	languages: string[];
	timeZone: string;
	capacity: number;
	load: number;
	availability: string;
	complete: boolean;
	updatedAt: number;
}

export const profileViewOf = (v: SchemeVolunteerRow, name: string): ProfileView => ({
	userId: v.user_id,
	name,
	kinds: v.kinds,
	areas: list(v.areas),
	freeWords: v.free_words,
	experience: v.experience,
	qualifications: v.qualifications,
	languages: list(v.languages),
	timeZone: v.time_zone,
	capacity: v.capacity,
	load: v.load,
	availability: v.availability,
	complete: v.complete === 1,
	updatedAt: v.updated_at
});

export interface MatchLine {
	id: string;
	requestId: string;
	coach: string;
	coachee: string;
	state: MatchState;
	proposedAt: number;
	volunteerAnswer: SchemeMatchRow['volunteer_answer'];
	volunteerReason: string | null;
	requesterAnswer: SchemeMatchRow['requester_answer'];
	requesterReason: string | null;
	closedAt: number | null;
}

export const matchLineOf = (m: SchemeMatchRow, names: Map<string, string>): MatchLine => ({
	id: m.id,
	requestId: m.request_id,
	coach: names.get(m.volunteer_id) ?? 'A former volunteer',
	coachee: names.get(m.requester_id) ?? 'A former requester',
	state: m.state,
	proposedAt: m.proposed_at,
	volunteerAnswer: m.volunteer_answer,
	volunteerReason: m.volunteer_reason,
	requesterAnswer: m.requester_answer,
	requesterReason: m.requester_reason,
	closedAt: m.closed_at
});

type Means = { count: number; helpful: number | null; learning: number | null; gained: number | null };

export interface Overview {
	scheme: SchemeSummary;
	coordinators: string[];
	requests: Record<RequestStatus, number>;
	matches: Record<MatchState, number>;
	queue: RequestView[];
	proposed: MatchLine[];
	placements: (MatchLine & { placedAt: number | null })[];
	capacity: { used: number; total: number; volunteers: { userId: string; name: string; load: number; capacity: number; complete: boolean }[] };
	timeToMatch: { placed: number; medianMs: number | null; meanMs: number | null };
	feedback: { coachee: Means; coach: Means };
	invites: { name: string; email: string; role: string; expiresAt: number }[];
}

const median = (xs: number[]) => {
	if (!xs.length) return null;
	const s = [...xs].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function overview(db: Kysely<Database>, scheme: SchemeRow, people: (ids: readonly string[]) => Promise<Person[]>, now = Date.now()): Promise<Overview> {
	const id = scheme.id;
	const [coordinatorIds, requests, matches, volunteers, feedback, invites] = await Promise.all([
		coordinatorsOf(db, id),
		db.selectFrom('scheme_requests').selectAll().where('scheme_id', '=', id).orderBy('created_at').execute(),
		db.selectFrom('scheme_matches').selectAll().where('scheme_id', '=', id).orderBy('proposed_at', 'desc').execute(),
		db.selectFrom('scheme_volunteers').select(['user_id', 'load', 'capacity', 'complete']).where('scheme_id', '=', id).orderBy('joined_at').execute(),
		db.selectFrom('scheme_feedback as f').innerJoin('scheme_matches as m', 'm.id', 'f.match_id').select(['f.role', 'f.helpful', 'f.learning', 'f.gained']).where('m.scheme_id', '=', id).execute(),
		db.selectFrom('scheme_invites').select(['name', 'email', 'role', 'expires_at']).where('scheme_id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).orderBy('created_at').execute()
	]);
	const ids = new Set([...coordinatorIds, ...requests.map((r) => r.user_id), ...matches.flatMap((m) => [m.volunteer_id, m.requester_id]), ...volunteers.map((v) => v.user_id)]);
	const names = new Map((await people([...ids])).map((p) => [p.id, p.name]));
	const countBy = <K extends string>(keys: readonly K[], values: K[]) => Object.fromEntries(keys.map((k) => [k, values.filter((v) => v === k).length])) as Record<K, number>;
	const placedRequests = requests.filter((r) => r.placed_at !== null);
	const waits = placedRequests.map((r) => r.placed_at! - r.created_at);
	const means = (role: 'coach' | 'coachee'): Means => {
		const rows = feedback.filter((f) => f.role === role);
		const mean = (k: 'helpful' | 'learning' | 'gained') => (rows.length ? Math.round((rows.reduce((a, f) => a + f[k], 0) / rows.length) * 10) / 10 : null);
		return { count: rows.length, helpful: mean('helpful'), learning: mean('learning'), gained: mean('gained') };
	};
	const placedAt = new Map(requests.map((r) => [r.id, r.placed_at]));
	return {
		scheme: summaryOf(scheme),
		coordinators: coordinatorIds.map((c) => names.get(c) ?? 'A coordinator'),
		requests: countBy(REQUEST_STATUSES, requests.map((r) => r.status)),
		matches: countBy(MATCH_STATES, matches.map((m) => m.state)),
		queue: requests.filter((r) => r.status === 'open').map((r) => requestViewOf(r, names.get(r.user_id) ?? 'Someone')),
		proposed: matches.filter((m) => m.state === 'proposed').map((m) => matchLineOf(m, names)),
		placements: matches.filter((m) => m.state === 'placed' || m.state === 'ended').map((m) => ({ ...matchLineOf(m, names), placedAt: placedAt.get(m.request_id) ?? null })),
		capacity: {
			used: volunteers.reduce((a, v) => a + v.load, 0),
			total: volunteers.reduce((a, v) => a + v.capacity, 0),
			volunteers: volunteers.map((v) => ({ userId: v.user_id, name: names.get(v.user_id) ?? 'A volunteer', load: v.load, capacity: v.capacity, complete: v.complete === 1 }))
		},
		timeToMatch: { placed: waits.length, medianMs: median(waits), meanMs: waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : null },
		feedback: { coachee: means('coachee'), coach: means('coach') },
		invites: invites.map((i) => ({ name: i.name, email: i.email, role: i.role, expiresAt: i.expires_at }))
	};
}
