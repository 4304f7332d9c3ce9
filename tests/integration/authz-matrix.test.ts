/**
 * Issue 17, the authorization matrix, generated from the code: every page,
 * form action and endpoint method of the route tree, every socket request of
 * the protocol map and both pads, tried as a signed-out visitor, a stranger,
 * a coachee, a sponsor and a scheme coordinator, against one engagement with
 * real content (notes, an action, private notes, a summary, a sponsor, a
 * scheme placement under way). Each outcome is asserted against that role's
 * table in authz-expectations.ts; a door a table does not decide fails the
 * test, so a new route or event forces a decision. No byte of what a role
 * must not see reaches it on any door.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, joinAsSponsor, uniqueEmail } from '../helpers/http.ts';
import { ask, person, profile, requestIdIn, schemeOf, volunteer } from '../helpers/schemes.ts';
import { has, writeAndEndSession } from '../helpers/session-content.ts';
import { httpDoors } from '../helpers/routes.ts';
import { ROLES, allDoors, expected, samplePayload, tryHttp, tryPads, trySocket, type Outcome, type Role } from '../helpers/authz.ts';
import { TABLES, SIGNS_OUT } from './authz-expectations.ts';
import { clientRequests, type RequestName } from '../../shared/protocol/index.ts';

const NOTE = 'NOTE-3b7e-coach-and-coachee';
const ACTION = 'ACTION-c0a4-coach-and-coachee';
const PRIVATE = 'PRIVATE-e61f-coach-only';
/** What each role must never receive, on any door. */
const SECRETS: Record<Role, string[]> = {
	visitor: [NOTE, ACTION, PRIVATE],
	stranger: [NOTE, ACTION, PRIVATE],
	coachee: [PRIVATE],
	sponsor: [NOTE, ACTION, PRIVATE],
	coordinator: [NOTE, ACTION, PRIVATE]
};
const PASSWORD = 'correct horse battery';
/** An id of the right shape that names nothing. */
const GHOST_ID = 'aaaaaaaaaaaaaaaaaaaa';
/** Roles with no part in the engagement, whose refusals are compared with those for things that do not exist. */
const OUTSIDERS: Role[] = ['stranger', 'sponsor', 'coordinator'];
const REFUSALS: Outcome[] = [403, 404, 410, 'not_found', 'forbidden', 4403, 4404];

/**
 * What one person meets at every door: the socket requests (about `at.socket`),
 * both pads (of `at.pad`), then every HTTP door with `values` for its ids.
 * Doors that sign the person out come last, each followed by signing in again.
 */
async function probe(v: Visitor, values: Record<string, string>, at: { socket: string; pad: string }) {
	const sockets = await trySocket(v.base, v.cookie, at.socket);
	const pads = await tryPads(v.base, v.cookie, at.pad);
	const outcomes: Record<string, Outcome> = { ...sockets.outcomes, ...pads.outcomes };
	let bodies = sockets.answers + pads.bytes;
	const doors = httpDoors().sort((a, b) => Number(SIGNS_OUT.includes(a.key)) - Number(SIGNS_OUT.includes(b.key)));
	for (const door of doors) {
		const r = await tryHttp(v, door, values);
		outcomes[door.key] = r.outcome;
		bodies += r.body;
		if (SIGNS_OUT.includes(door.key) && v.email) await v.signIn(v.email, PASSWORD);
	}
	return { outcomes, bodies };
}

it('every table decides exactly the doors the code has, and every sample payload is one its schema accepts', () => {
	const doors = new Set(allDoors());
	for (const role of ROLES) {
		const undecided = [...doors].filter((k) => expected(TABLES[role], k) === undefined);
		expect(undecided, `doors the ${role} table does not decide (add a line to tests/integration/authz-expectations.ts)`).toEqual([]);
		const stale = Object.keys(TABLES[role].doors).filter((k) => !doors.has(k));
		expect(stale, `lines in the ${role} table for doors that no longer exist`).toEqual([]);
	}
	for (const name of Object.keys(clientRequests) as RequestName[]) {
		expect(clientRequests[name].payload.safeParse(samplePayload(name, 'aaaaaaaaaaaaaaaa')).success, name).toBe(true);
	}
});

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the authorization matrix on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db, env: { MEDIA_WORKERS: '1' } });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('every door answers each role as its table says, and leaks nothing', async () => {
			const base = server.url;
			// One engagement with everything in it: contract, sponsor, an ended session with a summary, a booked one.
			const { coach, coachee, engagementId, sessionId } = await coachingPair(base);
			const { sponsor } = await joinAsSponsor(base, coach, engagementId);
			const summaryId = await writeAndEndSession(base, coach.cookie, sessionId, { note: NOTE, action: ACTION, privateNote: PRIVATE });
			// A live session for the socket requests: the coachee's joining starts it (it is inside its start window).
			const live = await coach.scheduleSession(engagementId, 5);
			const proposal = await coach.action('/proposals/new', { kind: 'coaching', title: 'Another team', request: 'A second request.', prospectName: 'Robin', prospectEmail: uniqueEmail('robin') });
			const proposalId = proposal.location!.split('/').pop()!;

			// A scheme: its coordinator, the coach as a volunteer, the coachee's request and a proposed match.
			const coord = await person(base, 'Cora Coordinator', 'cora');
			const schemeId = await schemeOf(coord.v);
			const { id: volunteerId } = await volunteer(coord.v, schemeId, { v: coach, email: coach.email, name: 'Casey Coach' });
			expect((await coach.action(`/schemes/${schemeId}/volunteers/${volunteerId}?/save`, profile())).type).toBe('success');
			expect((await coachee.action(`/schemes/${schemeId}/ask?/request`, ask())).type).toBe('success');
			const [requestId] = requestIdIn(await (await coord.v.get(`/schemes/${schemeId}`)).text(), schemeId);
			const match = await coord.v.action(`/schemes/${schemeId}/requests/${requestId}?/propose`, { volunteer: volunteerId });
			expect(match.type, JSON.stringify(match)).toBe('success');

			const stranger = await person(base, 'Stu Stranger', 'stu');
			const outboxJob = /href="\/outbox\/([a-z2-7]+)"/.exec(await (await coachee.get('/outbox')).text())?.[1];
			expect(outboxJob, 'the coachee has mail').toBeTruthy();
			const token = 'nosuchtoken';
			const values: Record<string, string> = {
				engagements: engagementId, sessions: sessionId, summaries: summaryId, sponsor: engagementId, v: '1', proposals: proposalId, outbox: outboxJob!,
				schemes: schemeId, requests: requestId!, volunteers: volunteerId, matches: match.data.proposed as string, practice: engagementId,
				invite: token, 'sponsor-invite': token, scoping: token, 'scheme-invite': token, confirm: token, reset: token, calendar: token
			};

			const people: Record<Role, Visitor> = { visitor: new Visitor(base), stranger: stranger.v, coachee, sponsor, coordinator: coord.v };
			const ghost = Object.fromEntries(Object.keys(values).map((k) => [k, k === 'v' ? '99' : GHOST_ID]));
			const wrong: string[] = [];
			const leaked: string[] = [];
			const record: Record<string, Record<string, Outcome>> = {};
			for (const role of ROLES) {
				const seen = await probe(people[role], values, { socket: live, pad: sessionId });
				record[role] = seen.outcomes;
				for (const [key, outcome] of Object.entries(seen.outcomes)) {
					const want = expected(TABLES[role], key);
					if (outcome !== want) wrong.push(`${role} ${key}: expected ${want}, got ${outcome}`);
				}
				leaked.push(...has(seen.bodies, SECRETS[role]).map((s) => `${role}: ${s}`));
				// An outsider refused by a rule meets what a door to nothing answers: the refusal never says the thing exists.
				if (!OUTSIDERS.includes(role)) continue;
				const nothing = await probe(people[role], ghost, { socket: GHOST_ID, pad: GHOST_ID });
				for (const [key, outcome] of Object.entries(seen.outcomes)) {
					if (Object.hasOwn(TABLES[role].doors, key) || !REFUSALS.includes(outcome)) continue;
					if (nothing.outcomes[key] !== outcome) wrong.push(`${role} ${key}: ${outcome} here, but ${nothing.outcomes[key]} for something that does not exist`);
				}
			}
			if (process.env.AUTHZ_RECORD) console.log(JSON.stringify(record, null, 1));
			expect(wrong).toEqual([]);
			expect(leaked).toEqual([]);
		}, 600_000);
	});
}
