/**
 * Coaching and mentoring schemes (issue 15). A scheme has coordinators (a
 * role of its own: never a member of any engagement, so no page, socket or
 * pad holding session content lets them in), volunteers with profiles who
 * join by invitation, and requests from coachees and mentees with a
 * readiness check. Coordinators see ranked suggestions with reasons
 * (`ranking.ts`), propose a match, and once both sides accept the engagement
 * is created through the engagements feature with the scheme's plan and an
 * introductory meeting. This folder owns the `scheme*` tables; offers
 * `createSchemes(deps)` with the methods of `Schemes` below. Every read for a
 * person takes the asking user and returns null (404) when it is not theirs.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, SchemeMatchRow, SchemeRequestRow, SchemeRow, SchemeVolunteerRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { MatchState, RequestStatus } from '../../shared/schemes/index.ts';
import { NO_SCHEME, type Person } from './rows.ts';
import { acceptInvite, coordinatorsOf, createInvite, createScheme, inviteProblem, isCoordinator, saveProfile, schemeRow, volunteerRow } from './setup.ts';
import { requestRow, submitRequest, suggestionsFor, withdrawRequest } from './requests.ts';
import { answer, endPlacement, finishPlacement, giveFeedback, matchRow, propose, unfinishedPlacements, withdrawMatch, type Enqueue } from './matches.ts';
import { registerSchemeMail } from './mail.ts';
import { matchLineOf, overview, profileViewOf, requestViewOf, summaryOf, type MatchLine, type Overview, type ProfileView, type RequestView, type SchemeSummary } from './views.ts';
import { introductoryTime } from './intro.ts';
import type { Reason } from './ranking.ts';

export type { Overview, ProfileView, RequestView, SchemeSummary, MatchLine } from './views.ts';
export type { Reason } from './ranking.ts';

export interface SuggestionView {
	userId: string;
	name: string;
	score: number;
	free: number;
	reasons: Reason[];
	profile: ProfileView;
}

export interface RequestPage {
	scheme: SchemeSummary;
	request: RequestView;
	current: MatchLine | null;
	history: MatchLine[];
	suggestions: SuggestionView[];
}

export interface MatchPage {
	id: string;
	scheme: SchemeSummary;
	side: 'volunteer' | 'requester';
	state: MatchState;
	myAnswer: 'accept' | 'decline' | null;
	otherAnswered: boolean;
	/** For the volunteer: who asks and for what. */
	request: RequestView | null;
	/** For the requester: who is proposed. */
	coach: ProfileView | null;
	engagementId: string | null;
	feedbackGiven: boolean;
}

export interface MySchemes {
	coordinating: { id: string; name: string }[];
	volunteering: { id: string; name: string; complete: boolean }[];
	requests: { id: string; schemeId: string; schemeName: string; status: RequestStatus }[];
	matches: { id: string; schemeName: string; state: MatchState; waitingForMe: boolean; feedbackDue: boolean }[];
}

export interface Schemes {
	create(userId: string, input: unknown): Promise<Result<SchemeRow>>;
	mine(userId: string): Promise<MySchemes>;
	/** What anyone signed in may read before asking for a coach: purpose, limits, expected sessions. */
	about(schemeId: string): Promise<SchemeSummary | null>;
	overview(schemeId: string, userId: string): Promise<Overview | null>;
	invite(schemeId: string, userId: string, input: unknown): Promise<Result<{ id: string; email: string }>>;
	describeInvite(inviteId: string): Promise<Result<{ schemeName: string; purpose: string; role: 'volunteer' | 'coordinator'; email: string; name: string }>>;
	acceptInvite(inviteId: string, user: Person): Promise<Result<{ schemeId: string; role: 'volunteer' | 'coordinator' }>>;
	/** A volunteer's profile, for the volunteer (editable) and the scheme's coordinators (read only). */
	profile(schemeId: string, volunteerId: string, userId: string): Promise<{ scheme: SchemeSummary; profile: ProfileView; editable: boolean } | null>;
	saveProfile(schemeId: string, volunteerId: string, userId: string, input: unknown): Promise<Result<SchemeVolunteerRow>>;
	request(schemeId: string, userId: string, input: unknown): Promise<Result<SchemeRequestRow>>;
	/** The requester's latest request in a scheme, with the match waiting for their answer. */
	myRequest(schemeId: string, userId: string): Promise<{ request: RequestView; matchId: string | null } | null>;
	withdrawRequest(requestId: string, userId: string): Promise<Result<{ schemeId: string }>>;
	requestPage(requestId: string, userId: string): Promise<RequestPage | null>;
	propose(requestId: string, userId: string, input: unknown): Promise<Result<SchemeMatchRow>>;
	withdrawMatch(matchId: string, userId: string): Promise<Result<SchemeMatchRow>>;
	match(matchId: string, userId: string): Promise<MatchPage | null>;
	answer(matchId: string, userId: string, input: unknown): Promise<Result<SchemeMatchRow>>;
	endPlacement(matchId: string, userId: string): Promise<Result<SchemeMatchRow>>;
	feedback(matchId: string, userId: string, input: unknown): Promise<Result<null>>;
	/** Completes placements a crash interrupted (engagement not yet created). */
	start(): Promise<void>;
}

export interface SchemeDeps {
	db: Kysely<Database>;
	log: Logger;
	mail: Pick<MailQueue, 'register' | 'enqueue' | 'kick'>;
	origin: string | undefined;
	people(ids: readonly string[]): Promise<Person[]>;
	engagements: Pick<Engagements, 'create' | 'createInvite' | 'acceptInvite' | 'scheduleSession' | 'sessionsOf'>;
}

export function createSchemes(deps: SchemeDeps): Schemes {
	const { db, mail, people } = deps;
	const log = deps.log.child({ feature: 'schemes' });
	const names = async (ids: readonly string[]) => new Map((await people(ids)).map((p) => [p.id, p]));

	/** An Enqueue for a match's mail, with every address read now: inside the transaction only `trx` is used (SQLite: one connection). */
	async function enqueueFor(schemeId: string, ids: string[]): Promise<Enqueue> {
		const coordinators = await coordinatorsOf(db, schemeId);
		const found = await names([...ids, ...coordinators]);
		return async (trx, kind, m) => {
			const to = kind === 'scheme_declined' ? coordinators : kind === 'scheme_placed' ? [m.volunteer_id, m.requester_id, ...coordinators] : [m.volunteer_id, m.requester_id];
			await mail.enqueue(trx, [...new Set(to)].flatMap((id) => {
				const p = found.get(id);
				return p ? [{ kind, subjectId: m.id, userId: id, toName: p.name, toAddress: p.email }] : [];
			}));
		};
	}
	const enqueueMatch = async (matchId: string): Promise<Enqueue> => {
		const m = await matchRow(db, matchId);
		return enqueueFor(m?.scheme_id ?? '', m ? [m.volunteer_id, m.requester_id] : []);
	};

	registerSchemeMail(mail, {
		db,
		origin: deps.origin,
		people,
		introOf: async (engagementId) => (await deps.engagements.sessionsOf(engagementId)).find((s) => s.kind === 'introductory')?.scheduled_at ?? null
	});

	const placing = {
		async createEngagement(scheme: SchemeRow, request: SchemeRequestRow, match: SchemeMatchRow) {
			const [requester] = await people([request.user_id]);
			const created = await deps.engagements.create(match.volunteer_id, {
				kind: request.kind,
				title: `${scheme.name}: ${requester?.name ?? 'new placement'}`.slice(0, 120),
				goals: request.develop,
				plannedSessions: String(scheme.expected_sessions),
				frequency: scheme.frequency
			});
			if (!created.ok) throw new Error(`placement ${match.id}: engagement refused: ${created.error.message}`);
			const engagementId = created.value.id;
			const invite = await deps.engagements.createInvite(engagementId, match.volunteer_id);
			const joined = invite.ok ? await deps.engagements.acceptInvite(invite.value.token, request.user_id) : invite;
			if (!joined.ok) throw new Error(`placement ${match.id}: coachee could not join: ${joined.error.message}`);
			const coach = await volunteerRow(db, scheme.id, match.volunteer_id);
			const at = introductoryTime(Date.now(), coach?.time_zone ?? 'UTC', request.time_zone);
			const intro = await deps.engagements.scheduleSession(engagementId, match.volunteer_id, { kind: 'introductory', scheduledAt: new Date(at).toISOString(), durationMinutes: limits.schemes.introMinutes });
			if (!intro.ok) log.warn({ match: match.id, error: intro.error }, 'introductory meeting not booked');
			return engagementId;
		}
	};

	async function finish(matchId: string) {
		try {
			await finishPlacement(db, matchId, placing, await enqueueMatch(matchId));
		} catch (err) {
			log.error({ err, match: matchId }, 'placement could not be completed; retried at the next start or view');
		}
	}

	const after = <T>(r: Result<T>) => {
		if (r.ok) mail.kick();
		return r;
	};

	return {
		create: (userId, input) => createScheme(db, userId, input),

		async mine(userId) {
			const [coordinating, volunteering, requests, matches] = await Promise.all([
				db.selectFrom('scheme_coordinators as c').innerJoin('schemes as s', 's.id', 'c.scheme_id').select(['s.id', 's.name']).where('c.user_id', '=', userId).orderBy('s.created_at', 'desc').execute(),
				db.selectFrom('scheme_volunteers as v').innerJoin('schemes as s', 's.id', 'v.scheme_id').select(['s.id', 's.name', 'v.complete']).where('v.user_id', '=', userId).execute(),
				db.selectFrom('scheme_requests as r').innerJoin('schemes as s', 's.id', 'r.scheme_id').select(['r.id', 'r.scheme_id', 's.name', 'r.status']).where('r.user_id', '=', userId).orderBy('r.created_at', 'desc').execute(),
				db
					.selectFrom('scheme_matches as m')
					.innerJoin('schemes as s', 's.id', 'm.scheme_id')
					.leftJoin('scheme_feedback as f', (j) => j.onRef('f.match_id', '=', 'm.id').on('f.user_id', '=', userId))
					.select(['m.id', 's.name', 'm.state', 'm.volunteer_id', 'm.volunteer_answer', 'm.requester_answer', 'f.user_id as gave'])
					.where((w) => w.or([w('m.volunteer_id', '=', userId), w('m.requester_id', '=', userId)]))
					.where('m.state', 'in', ['proposed', 'placed', 'ended'])
					.orderBy('m.proposed_at', 'desc')
					.execute()
			]);
			return {
				coordinating,
				volunteering: volunteering.map((v) => ({ id: v.id, name: v.name, complete: v.complete === 1 })),
				requests: requests.map((r) => ({ id: r.id, schemeId: r.scheme_id, schemeName: r.name, status: r.status })),
				matches: matches.map((m) => ({
					id: m.id,
					schemeName: m.name,
					state: m.state,
					waitingForMe: m.state === 'proposed' && (m.volunteer_id === userId ? m.volunteer_answer : m.requester_answer) === null,
					feedbackDue: m.state === 'ended' && !m.gave
				}))
			};
		},

		async about(schemeId) {
			const s = await schemeRow(db, schemeId);
			return s ? summaryOf(s) : null;
		},

		async overview(schemeId, userId) {
			const s = await schemeRow(db, schemeId);
			if (!s || !(await isCoordinator(db, schemeId, userId))) return null;
			return overview(db, s, people);
		},

		async invite(schemeId, userId, input) {
			const r = await createInvite(db, schemeId, userId, input, (trx, invite) => mail.enqueue(trx, [{ kind: 'scheme_invite', subjectId: invite.id, userId: invite.id, toName: invite.name, toAddress: invite.email }]));
			return after(r.ok ? ok({ id: r.value.id, email: r.value.email }) : r);
		},

		async describeInvite(inviteId) {
			const found = inviteProblem(await db.selectFrom('scheme_invites').selectAll().where('id', '=', inviteId).executeTakeFirst(), Date.now());
			if (!found.ok) return found;
			const s = await schemeRow(db, found.value.scheme_id);
			if (!s) return fail('not_found', NO_SCHEME);
			return ok({ schemeName: s.name, purpose: s.purpose, role: found.value.role, email: found.value.email, name: found.value.name });
		},

		acceptInvite: (inviteId, user) => acceptInvite(db, inviteId, user),

		async profile(schemeId, volunteerId, userId) {
			const [s, v] = await Promise.all([schemeRow(db, schemeId), volunteerRow(db, schemeId, volunteerId)]);
			if (!s || !v) return null;
			const mine = volunteerId === userId;
			if (!mine && !(await isCoordinator(db, schemeId, userId))) return null;
			const [p] = await people([volunteerId]);
			return { scheme: summaryOf(s), profile: profileViewOf(v, p?.name ?? 'A volunteer'), editable: mine };
		},

		saveProfile: (schemeId, volunteerId, userId, input) => saveProfile(db, schemeId, volunteerId, userId, input),

		async request(schemeId, userId, input) {
			const coordinators = await coordinatorsOf(db, schemeId);
			const found = await names([...coordinators, userId]);
			const r = await submitRequest(db, schemeId, userId, input, async (trx, row) => {
				const to = (ids: string[]) => ids.flatMap((id) => (found.get(id) ? [{ subjectId: row.id, userId: id, toName: found.get(id)!.name, toAddress: found.get(id)!.email }] : []));
				await mail.enqueue(trx, [...to(coordinators).map((m) => ({ ...m, kind: 'scheme_request' as const })), ...to([userId]).map((m) => ({ ...m, kind: 'scheme_request_ack' as const }))]);
			});
			return after(r);
		},

		async myRequest(schemeId, userId) {
			const r = await db.selectFrom('scheme_requests').selectAll().where('scheme_id', '=', schemeId).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
			if (!r) return null;
			const m = await db.selectFrom('scheme_matches').select('id').where('request_id', '=', r.id).where('state', 'in', ['proposed', 'placed', 'ended']).orderBy('proposed_at', 'desc').limit(1).executeTakeFirst();
			const [p] = await people([userId]);
			return { request: requestViewOf(r, p?.name ?? ''), matchId: m?.id ?? null };
		},

		withdrawRequest: (requestId, userId) => withdrawRequest(db, requestId, userId),

		async requestPage(requestId, userId) {
			const r = await requestRow(db, requestId);
			if (!r || !(await isCoordinator(db, r.scheme_id, userId))) return null;
			const s = (await schemeRow(db, r.scheme_id))!;
			const [matches, suggestions] = await Promise.all([
				db.selectFrom('scheme_matches').selectAll().where('request_id', '=', requestId).orderBy('proposed_at', 'desc').execute(),
				r.status === 'open' ? suggestionsFor(db, r) : Promise.resolve([])
			]);
			const profiles = suggestions.length ? await db.selectFrom('scheme_volunteers').selectAll().where('scheme_id', '=', r.scheme_id).where('user_id', 'in', suggestions.map((x) => x.userId)).execute() : [];
			const found = await names([r.user_id, ...matches.flatMap((m) => [m.volunteer_id, m.requester_id]), ...suggestions.map((x) => x.userId)]);
			const nameMap = new Map([...found].map(([id, p]) => [id, p.name]));
			const byUser = new Map(profiles.map((p) => [p.user_id, p]));
			const lines = matches.map((m) => matchLineOf(m, nameMap));
			return {
				scheme: summaryOf(s),
				request: requestViewOf(r, nameMap.get(r.user_id) ?? 'Someone'),
				current: lines.find((l) => l.state === 'proposed' || l.state === 'placed' || l.state === 'ended') ?? null,
				history: lines.filter((l) => l.state === 'declined' || l.state === 'withdrawn'),
				suggestions: suggestions.map((x) => ({ ...x, name: nameMap.get(x.userId) ?? 'A volunteer', profile: profileViewOf(byUser.get(x.userId)!, nameMap.get(x.userId) ?? 'A volunteer') }))
			};
		},

		async propose(requestId, userId, input) {
			const r = await requestRow(db, requestId);
			const volunteer = typeof (input as { volunteer?: unknown })?.volunteer === 'string' ? (input as { volunteer: string }).volunteer : '';
			const enqueue = await enqueueFor(r?.scheme_id ?? '', r ? [r.user_id, volunteer] : []);
			return after(await propose(db, requestId, userId, input, enqueue));
		},

		withdrawMatch: (matchId, userId) => withdrawMatch(db, matchId, userId),

		async match(matchId, userId) {
			let m = await matchRow(db, matchId);
			const side = m?.volunteer_id === userId ? 'volunteer' : m?.requester_id === userId ? 'requester' : null;
			if (!m || !side) return null;
			if (m.state === 'placed' && !m.engagement_id) {
				await finish(m.id);
				m = (await matchRow(db, matchId))!;
			}
			const [s, r, v, gave] = await Promise.all([
				schemeRow(db, m.scheme_id),
				requestRow(db, m.request_id),
				volunteerRow(db, m.scheme_id, m.volunteer_id),
				db.selectFrom('scheme_feedback').select('user_id').where('match_id', '=', matchId).where('user_id', '=', userId).executeTakeFirst()
			]);
			const found = await names([m.volunteer_id, m.requester_id]);
			const mine = side === 'volunteer' ? m.volunteer_answer : m.requester_answer;
			const other = side === 'volunteer' ? m.requester_answer : m.volunteer_answer;
			return {
				id: m.id,
				scheme: summaryOf(s!),
				side,
				state: m.state,
				myAnswer: mine,
				otherAnswered: other !== null,
				request: side === 'volunteer' && r ? requestViewOf(r, found.get(m.requester_id)?.name ?? 'Someone') : null,
				coach: side === 'requester' && v ? profileViewOf(v, found.get(m.volunteer_id)?.name ?? 'A volunteer') : null,
				engagementId: m.state === 'placed' || m.state === 'ended' ? m.engagement_id : null,
				feedbackGiven: !!gave
			};
		},

		async answer(matchId, userId, input) {
			const r = await answer(db, matchId, userId, input, await enqueueMatch(matchId));
			if (r.ok && r.value.state === 'placed') await finish(matchId);
			return after(r);
		},

		endPlacement: async (matchId, userId) => after(await endPlacement(db, matchId, userId, await enqueueMatch(matchId))),
		feedback: (matchId, userId, input) => giveFeedback(db, matchId, userId, input),

		async start() {
			for (const id of await unfinishedPlacements(db)) await finish(id);
			mail.kick();
		}
	};
}
