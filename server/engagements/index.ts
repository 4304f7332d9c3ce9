/**
 * Engagements (a coach with one or more coachees, their goals and agreed
 * rhythm), their coaching sessions and invite links. This folder owns the
 * `engagements`, `engagement_members`, `coaching_sessions` and `invites`
 * tables; other features ask through the `Engagements` interface below.
 * Every read for a person takes the asking user and returns null when they
 * are not a member, so callers answer 404 without revealing that the thing
 * exists; `membership` is the one check all features use.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CoachingSessionRow, Database, EngagementKind, EngagementRole, EngagementRow, SessionKind, SessionStatus } from '../store/index.ts';
import type { RoomRole } from '../../shared/domain.ts';
import type { GroupSharing } from '../../shared/contract/body.ts';
import type { Auth } from '../auth/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Logger } from '../log/index.ts';
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/result.ts';
import { createMembership } from './membership.ts';
import { createInvites } from './invites.ts';
import { createSessions } from './sessions.ts';
import { createPlans } from './plan.ts';
import { createChanges } from './changes.ts';

/** A session's invite mail job names the session and its SEQUENCE (the calendar feature reads it back). */
export { inviteSubject, parseInviteSubject } from './sessions.ts';

/** Whether a single-use link is usable, used or expired (sponsor links follow the invites' rule). */
export { inviteState } from './rules.ts';

export interface Member {
	userId: string;
	name: string;
	email: string;
	role: EngagementRole;
}

export interface EngagementView extends EngagementRow {
	role: EngagementRole;
	members: Member[];
	sessions: CoachingSessionRow[];
}

/** A person's place in an engagement, found from the engagement or from one of its sessions. */
export interface Membership {
	role: EngagementRole;
	engagement: EngagementRow;
	/** The session asked about, when the check was by session. */
	session: CoachingSessionRow | null;
}

export type MembershipOf = { engagementId: string } | { sessionId: string };

/** Being in a session's room: a member, or the engagement's sponsor in a three-way meeting. */
export interface RoomAccess {
	session: CoachingSessionRow;
	engagement: EngagementRow;
	role: RoomRole;
	members: Member[];
	/** The coach requires two-factor sign-in and this person has not set it up: the room, pad and events refuse them. */
	twoFactorMissing: boolean;
}

export interface SessionAccess {
	session: CoachingSessionRow;
	engagement: EngagementRow;
	role: EngagementRole;
	members: Member[];
	twoFactorMissing: boolean;
}

/** What the room, pad and session events answer a member the coach's "require two-factor sign-in" keeps out. */
export const TWO_FACTOR_REQUIRED = 'The coach of this engagement requires two-factor sign-in. Set it up in Settings, Sign-in security (/settings/security), then open the session again.';

export type UpcomingSession = CoachingSessionRow & { engagementTitle: string; plannedSessions: number | null; role: EngagementRole };

export type CalendarSession = UpcomingSession & { engagementKind: EngagementKind };

export interface SessionChangeResult {
	session: CoachingSessionRow;
	/** The change came inside the contract's notice: allowed, recorded, and (a cancellation) still counted. */
	late: boolean;
	noticeHours: number;
}

export interface InviteDescription {
	engagementId: string;
	title: string;
	kind: EngagementKind;
	coachName: string;
	expiresAt: number;
}

export interface Engagements {
	/** The one membership check: the person's role and the engagement, or null ("not for you"). */
	membership(userId: string, of: MembershipOf): Promise<Membership | null>;
	/** A session with its engagement and members, for a member; null otherwise. */
	sessionAccess(sessionId: string, userId: string): Promise<SessionAccess | null>;
	/**
	 * Who may be in a session's room and open its shared pad: a member, or the
	 * engagement's sponsor when the session is a three-way meeting (role
	 * `sponsor`); null for anyone else, and for a sponsor on any other session.
	 */
	roomAccess(sessionId: string, userId: string): Promise<RoomAccess | null>;
	/** In a group engagement (two coachees or more), what its contract in force lets the coachees share; null otherwise. */
	groupSharing(engagementId: string): Promise<GroupSharing | null>;
	members(engagementId: string): Promise<Member[]>;
	/** `within`: inside a caller's transaction (a proposal taken on becomes its engagement atomically). */
	create(coachId: string, input: unknown, within?: Transaction<Database>): Promise<Result<EngagementRow>>;
	listForUser(userId: string): Promise<(EngagementRow & { role: EngagementRole; members: Member[] })[]>;
	/** Upcoming and live sessions across all of a user's engagements. */
	upcomingForUser(userId: string, now?: number): Promise<UpcomingSession[]>;
	getForMember(engagementId: string, userId: string): Promise<EngagementView | null>;
	/**
	 * The coach books one session (`scheduledAt` an ISO instant, or `scheduledAtLocal`
	 * a wall time read in the coach's zone); every member's invite is queued with it.
	 */
	scheduleSession(engagementId: string, userId: string, input: unknown): Promise<Result<CoachingSessionRow>>;
	/** Several sessions at once, all or none, each like scheduleSession (the series of the agreed rhythm). */
	scheduleSeries(engagementId: string, userId: string, inputs: unknown[]): Promise<Result<CoachingSessionRow[]>>;
	/** Either side moves a booked session before it starts (`scheduledAt` or `scheduledAtLocal`, and `reason`). */
	rescheduleSession(sessionId: string, userId: string, input: unknown): Promise<Result<SessionChangeResult>>;
	/** Either side cancels a booked session (`reason`); inside the notice it is allowed, recorded late, and counted. */
	cancelSession(sessionId: string, userId: string, input: unknown): Promise<Result<SessionChangeResult>>;
	/** A person's sessions of every engagement from `since` on, for their calendar feed. */
	calendarSessionsFor(userId: string, since: number, limit: number): Promise<CalendarSession[]>;
	/** The coach requires (or stops requiring) two-factor sign-in of everyone in the engagement; turning it on needs their own first. */
	setRequireTwoFactor(engagementId: string, userId: string, input: unknown): Promise<Result<{ required: boolean }>>;
	/** A new single-use invite link token; only its hash is stored. */
	createInvite(engagementId: string, userId: string): Promise<Result<{ token: string; expiresAt: number }>>;
	/** What an invite link shows before anyone signs in. */
	describeInvite(token: string): Promise<Result<InviteDescription>>;
	acceptInvite(token: string, userId: string): Promise<Result<{ engagementId: string }>>;
	/** A session and its engagement, for the server's own work (no person asking). */
	sessionRecord(sessionId: string): Promise<{ session: CoachingSessionRow; engagement: EngagementRow } | null>;
	/** The engagement's sessions, by number. */
	sessionsOf(engagementId: string): Promise<CoachingSessionRow[]>;
	/** The engagement's first scheduled session after `after`, if one is booked. */
	nextScheduled(engagementId: string, after: number): Promise<CoachingSessionRow | null>;
	liveSessionIds(): Promise<string[]>;
	/** Going live only from scheduled keeps the first start time; ending is final. True when it changed. */
	setSessionStatus(sessionId: string, status: 'live' | 'ended', at?: number): Promise<boolean>;
	/** When sessions are and whether they were held; nothing of what happened in them (for the sponsor). */
	sessionDates(engagementId: string): Promise<{ id: string; kind: SessionKind; number: number; scheduledAt: number; status: SessionStatus }[]>;
	/** The engagement's own plan (title, kind, sessions, frequency, goals), for the contract's first draft. */
	plan(engagementId: string): Promise<EngagementPlan | null>;
	/** Every engagement's id, for the server's periodic checks (nudges, due actions). */
	engagementIds(): Promise<string[]>;
	/** A contract came into force: its number of sessions and frequency become the engagement's ("Session 3 of 8"). */
	adoptPlan(engagementId: string, plan: { sessions: number; frequency: string }): Promise<void>;
}

export interface EngagementPlan {
	title: string;
	kind: EngagementKind;
	plannedSessions: number | null;
	frequency: string | null;
	goals: string;
}

/** Whether someone is the engagement's sponsor (the sponsors feature provides it). */
export type IsSponsor = (engagementId: string, userId: string) => Promise<boolean>;
/** Whether the engagement has a sponsor at all, for booking a three-way meeting. */
export type HasSponsor = (engagementId: string) => Promise<boolean>;

/** The contract in force, as scheduling needs it (the contracts feature provides it). */
export type ContractInForce = (engagementId: string) => Promise<{ version: number; sessions: number; noticeHours?: number; sharing?: GroupSharing } | null>;

/** Called inside the transaction that creates sessions (reminders, invites join it). */
export type OnScheduled = (trx: Transaction<Database>, sessions: CoachingSessionRow[], memberIds: string[]) => Promise<void>;

/** What scheduling needs beyond the store; `mail` absent means no invites are sent (some unit tests). */
export interface EngagementDeps {
	onScheduled?: OnScheduled;
	/** A closed engagement books no more sessions (the closing feature provides it). */
	isClosed?: (engagementId: string) => Promise<boolean>;
	hasSponsor: HasSponsor;
	auth: Pick<Auth, 'userTimeZone'>;
	mail?: Pick<MailQueue, 'enqueue' | 'kick'>;
	log?: Logger;
	now: () => number;
}

export interface EngagementOptions {
	contractInForce?: ContractInForce;
	isClosed?: (engagementId: string) => Promise<boolean>;
	/** Which of these people have no second factor (auth's second factor provides it); absent: nobody is kept out. */
	withoutSecondFactor?: (userIds: readonly string[]) => Promise<Set<string>>;
	onScheduled?: OnScheduled;
	isSponsor?: IsSponsor;
	hasSponsor?: HasSponsor;
	mail?: Pick<MailQueue, 'enqueue' | 'kick'>;
	log?: Logger;
	now?: () => number;
}

export function createEngagements(db: Kysely<Database>, auth: Pick<Auth, 'usersByIds' | 'userTimeZone'> & Partial<Pick<Auth, 'record'>>, options: EngagementOptions = {}): Engagements {
	const membership = createMembership(db, auth);
	const contractInForce: ContractInForce = options.contractInForce ?? (async () => null);
	const isSponsor: IsSponsor = options.isSponsor ?? (async () => false);
	const deps: EngagementDeps = {
		auth,
		now: options.now ?? Date.now,
		hasSponsor: options.hasSponsor ?? (async () => false),
		...(options.mail ? { mail: options.mail } : {}),
		...(options.log ? { log: options.log } : {}),
		...(options.onScheduled ? { onScheduled: options.onScheduled } : {}),
		...(options.isClosed ? { isClosed: options.isClosed } : {})
	};

	const withoutSecondFactor = options.withoutSecondFactor ?? (async () => new Set<string>());
	const twoFactorMissing = async (engagement: EngagementRow, userId: string) => Number(engagement.require_two_factor ?? 0) === 1 && (await withoutSecondFactor([userId])).has(userId);

	async function sessionAccess(sessionId: string, userId: string): Promise<SessionAccess | null> {
		const member = await membership.sessionAccess(sessionId, userId);
		return member && { ...member, twoFactorMissing: await twoFactorMissing(member.engagement, userId) };
	}

	async function roomAccess(sessionId: string, userId: string): Promise<RoomAccess | null> {
		const member = await sessionAccess(sessionId, userId);
		if (member) return member;
		const record = await membership.sessionRecord(sessionId);
		// Only a three-way meeting ever lets the sponsor in; every other session answers as if it did not exist.
		if (!record || record.session.kind !== 'three_way' || !(await isSponsor(record.engagement.id, userId))) return null;
		return { ...record, role: 'sponsor', members: await membership.members(record.engagement.id), twoFactorMissing: await twoFactorMissing(record.engagement, userId) };
	}

	async function setRequireTwoFactor(engagementId: string, userId: string, input: unknown): Promise<Result<{ required: boolean }>> {
		// Anyone but the coach learns nothing, whatever they sent.
		if ((await membership.roleOf(engagementId, userId)) !== 'coach') return fail('not_found', 'There is no such engagement, or you are not its coach.');
		const parsed = z.object({ required: z.enum(['on', 'off']) }).safeParse(input);
		if (!parsed.success) return fail('invalid_input', 'Choose whether two-factor sign-in is required.');
		const required = parsed.data.required === 'on';
		// A coach who required it without having it would lock themselves out of their own sessions.
		if (required && (await withoutSecondFactor([userId])).has(userId)) return fail('conflict', 'Set up two-factor sign-in for yourself first (Settings, Sign-in security).');
		await db.updateTable('engagements').set({ require_two_factor: required ? 1 : 0 }).where('id', '=', engagementId).execute();
		options.log?.info({ engagement: engagementId, user: userId, required }, 'two-factor requirement changed');
		return ok({ required });
	}

	async function groupSharing(engagementId: string): Promise<GroupSharing | null> {
		const coachees = (await membership.members(engagementId)).filter((m) => m.role === 'coachee').length;
		return coachees > 1 ? ((await contractInForce(engagementId))?.sharing ?? null) : null;
	}

	return {
		...membership,
		sessionAccess,
		roomAccess,
		setRequireTwoFactor,
		groupSharing,
		...createSessions(db, membership, contractInForce, deps),
		...createChanges(db, membership, contractInForce, deps),
		...createInvites(db, membership, auth),
		...createPlans(db)
	};
}
