/**
 * Sponsors: the person or organisation that asked for or pays for the
 * coaching. A sponsor is not a member of the engagement, so no page, socket,
 * pad or email that checks membership ever reaches them; this feature is the
 * only door, and it shows exactly: the sponsor-visible parts of the contract
 * in force, the sessions held and left with their dates, and the updates a
 * coachee approved. Offers `createSponsors(deps)` with:
 * - `createLink`, `describeLink`, `acceptLink`: the coach's single-use invite;
 * - `view(engagementId, userId)`: the sponsor's page (null for anyone else);
 * - `sponsored(userId)`: the engagements someone sponsors, for the dashboard;
 * - `draftUpdate`, `decideUpdate`, `updatesFor`, `sponsorsOf`: updates.
 */
import type { Kysely } from 'kysely';
import type { Database, EngagementKind, EngagementRole, SessionKind, SessionStatus } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { sponsorPartsOf, type ContractBody, type SponsorContractView } from '../../shared/contract/index.ts';
import { acceptSponsorLink, createSponsorLink, describeSponsorLink } from './links.ts';
import { decideUpdate, draftUpdate, findUpdate, listUpdates, type SponsorUpdate } from './updates.ts';
import { registerSponsorMail } from './mail.ts';

export type { SponsorUpdate } from './updates.ts';

/** What sponsors need from the rest of the product; each feature provides its part. */
export interface SponsorSources {
	members(engagementId: string): Promise<{ userId: string; name: string; email: string; role: EngagementRole }[]>;
	engagement(engagementId: string): Promise<{ title: string; kind: EngagementKind } | null>;
	/** Dates and states only: never what happened in a session. */
	sessionDates(engagementId: string): Promise<{ id: string; kind: SessionKind; number: number; scheduledAt: number; status: SessionStatus }[]>;
	contractInForce(engagementId: string): Promise<{ version: number; body: ContractBody } | null>;
	/** Names and addresses of accounts (the auth feature). */
	people(userIds: readonly string[]): Promise<{ id: string; name: string; email: string }[]>;
}

export interface SponsorView {
	title: string;
	kind: EngagementKind;
	coach: string[];
	coachees: string[];
	contract: (SponsorContractView & { version: number }) | null;
	sessions: { number: number; scheduledAt: number; held: boolean }[];
	held: number;
	left: number | null;
	/** Three-way meetings the sponsor is invited to (the only sessions they may join, and whose summaries they get). */
	meetings: { sessionId: string; scheduledAt: number; status: SessionStatus }[];
	updates: { text: string; approvedAt: number }[];
}

export interface Sponsors {
	createLink(engagementId: string, userId: string): Promise<Result<{ token: string; expiresAt: number }>>;
	describeLink(token: string): Promise<Result<{ engagementId: string; title: string; kind: EngagementKind; coachName: string }>>;
	acceptLink(token: string, userId: string): Promise<Result<{ engagementId: string }>>;
	view(engagementId: string, userId: string): Promise<SponsorView | null>;
	sponsored(userId: string): Promise<{ engagementId: string; title: string }[]>;
	sponsorsOf(engagementId: string, userId: string): Promise<{ userId: string; name: string }[] | null>;
	draftUpdate(engagementId: string, userId: string, input: unknown): Promise<Result<SponsorUpdate>>;
	decideUpdate(engagementId: string, updateId: string, userId: string, input: unknown): Promise<Result<SponsorUpdate>>;
	/** Coach and coachees see every update with its state; everyone else gets null. */
	updatesFor(engagementId: string, userId: string): Promise<SponsorUpdate[] | null>;
	/** Whether the person is a sponsor of the engagement (three-way meetings let only them in). */
	isSponsor(engagementId: string, userId: string): Promise<boolean>;
	hasSponsor(engagementId: string): Promise<boolean>;
	/** The engagement's sponsors with their addresses, for the server's own work (a three-way meeting's summary email). */
	sponsorPeople(engagementId: string): Promise<{ userId: string; name: string; email: string }[]>;
}

const NOT_FOUND = 'No such engagement.';

export function createSponsors(deps: { db: Kysely<Database>; sources: SponsorSources; mail: Pick<MailQueue, 'register' | 'enqueue' | 'kick'>; origin: string | undefined }): Sponsors {
	const { db, sources, mail } = deps;

	async function roleOf(engagementId: string, userId: string) {
		return (await sources.members(engagementId)).find((m) => m.userId === userId)?.role ?? null;
	}

	async function isSponsor(engagementId: string, userId: string) {
		return !!(await db.selectFrom('engagement_sponsors').select('user_id').where('engagement_id', '=', engagementId).where('user_id', '=', userId).executeTakeFirst());
	}

	async function sponsorPeople(engagementId: string) {
		const rows = await db.selectFrom('engagement_sponsors').select('user_id').where('engagement_id', '=', engagementId).orderBy('joined_at').execute();
		const people = new Map((await sources.people(rows.map((r) => r.user_id))).map((p) => [p.id, p]));
		return rows.flatMap((r) => {
			const p = people.get(r.user_id);
			return p ? [{ userId: p.id, name: p.name, email: p.email }] : [];
		});
	}

	const linkSources = {
		engagement: sources.engagement,
		roleOf,
		nameOf: async (userId: string) => (await sources.people([userId]))[0]?.name ?? null
	};

	registerSponsorMail(mail, { db, origin: deps.origin, engagement: sources.engagement, isSponsor });

	return {
		async createLink(engagementId, userId) {
			const role = await roleOf(engagementId, userId);
			if (!role) return fail('not_found', NOT_FOUND);
			if (role !== 'coach') return fail('forbidden', 'Only the coach invites a sponsor.');
			return ok(await createSponsorLink(db, engagementId, userId));
		},
		describeLink: (token) => describeSponsorLink(db, linkSources, token),
		acceptLink: (token, userId) => acceptSponsorLink(db, linkSources, token, userId),

		async view(engagementId, userId) {
			if (!(await isSponsor(engagementId, userId))) return null;
			const [engagement, people, dates, contract, updates] = await Promise.all([
				sources.engagement(engagementId),
				sources.members(engagementId),
				sources.sessionDates(engagementId),
				sources.contractInForce(engagementId),
				listUpdates(db, engagementId, true)
			]);
			if (!engagement) return null;
			const sessions = dates.filter((d) => d.kind === 'session').map((d) => ({ number: d.number, scheduledAt: d.scheduledAt, held: d.status === 'ended' }));
			const held = sessions.filter((s) => s.held).length;
			return {
				title: engagement.title,
				kind: engagement.kind,
				coach: people.filter((p) => p.role === 'coach').map((p) => p.name),
				coachees: people.filter((p) => p.role === 'coachee').map((p) => p.name),
				contract: contract && { version: contract.version, ...sponsorPartsOf(contract.body) },
				sessions,
				held,
				left: contract ? Math.max(0, contract.body.plan.sessions - held) : null,
				meetings: dates.filter((d) => d.kind === 'three_way').map((d) => ({ sessionId: d.id, scheduledAt: d.scheduledAt, status: d.status })),
				updates: updates.map((u) => ({ text: u.finalText ?? '', approvedAt: u.decidedAt ?? u.createdAt }))
			};
		},

		async sponsored(userId) {
			const rows = await db.selectFrom('engagement_sponsors').select('engagement_id').where('user_id', '=', userId).orderBy('joined_at', 'desc').execute();
			const found = await Promise.all(rows.map(async (r) => ({ engagementId: r.engagement_id, engagement: await sources.engagement(r.engagement_id) })));
			return found.flatMap((f) => (f.engagement ? [{ engagementId: f.engagementId, title: f.engagement.title }] : []));
		},

		async sponsorsOf(engagementId, userId) {
			if (!(await roleOf(engagementId, userId))) return null;
			return (await sponsorPeople(engagementId)).map(({ userId: id, name }) => ({ userId: id, name }));
		},

		async draftUpdate(engagementId, userId, input) {
			const role = await roleOf(engagementId, userId);
			if (!role) return fail('not_found', NOT_FOUND);
			if (role !== 'coach') return fail('forbidden', 'Only the coach drafts updates for the sponsor; the coachee approves them.');
			return draftUpdate(db, engagementId, userId, input);
		},

		async decideUpdate(engagementId, updateId, userId, input) {
			const role = await roleOf(engagementId, userId);
			const update = await findUpdate(db, updateId);
			if (!role || !update || update.engagement_id !== engagementId) return fail('not_found', 'No such update.');
			if (role !== 'coachee') return fail('forbidden', 'Only the coachee approves or declines what the sponsor sees.');
			// Read before the transaction: on SQLite a query outside it would wait for it to end.
			const to = await sponsorPeople(engagementId);
			const result = await decideUpdate(db, update, userId, input, async (trx, u) => {
				await mail.enqueue(trx, to.map((p) => ({ kind: 'sponsor_update' as const, subjectId: u.id, userId: p.userId, toName: p.name, toAddress: p.email })));
			});
			if (result.ok && result.value.status === 'approved') mail.kick();
			return result;
		},

		async updatesFor(engagementId, userId) {
			return (await roleOf(engagementId, userId)) ? listUpdates(db, engagementId, false) : null;
		},

		isSponsor,
		async hasSponsor(engagementId) {
			return !!(await db.selectFrom('engagement_sponsors').select('user_id').where('engagement_id', '=', engagementId).executeTakeFirst());
		},
		sponsorPeople
	};
}
