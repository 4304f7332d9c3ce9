/**
 * Engagements (a coach with one or more coachees, their goals and agreed
 * rhythm), their coaching sessions and invite links. This folder owns the
 * `engagements`, `engagement_members`, `coaching_sessions` and `invites`
 * tables; other features ask through the `Engagements` interface below.
 * Every read for a person takes the asking user and returns null when they
 * are not a member, so callers answer 404 without revealing that the thing
 * exists; `membership` is the one check all features use.
 */
import type { Kysely } from 'kysely';
import type { CoachingSessionRow, Database, EngagementKind, EngagementRole, EngagementRow, SessionKind, SessionStatus } from '../store/index.ts';
import type { Auth } from '../auth/index.ts';
import type { Result } from '../../shared/result.ts';
import { createMembership } from './membership.ts';
import { createInvites } from './invites.ts';
import { createSessions } from './sessions.ts';
import { createPlans } from './plan.ts';

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

export interface SessionAccess {
	session: CoachingSessionRow;
	engagement: EngagementRow;
	role: EngagementRole;
	members: Member[];
}

export type UpcomingSession = CoachingSessionRow & { engagementTitle: string; plannedSessions: number | null; role: EngagementRole };

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
	members(engagementId: string): Promise<Member[]>;
	create(coachId: string, input: unknown): Promise<Result<EngagementRow>>;
	listForUser(userId: string): Promise<(EngagementRow & { role: EngagementRole; members: Member[] })[]>;
	/** Upcoming and live sessions across all of a user's engagements. */
	upcomingForUser(userId: string, now?: number): Promise<UpcomingSession[]>;
	getForMember(engagementId: string, userId: string): Promise<EngagementView | null>;
	scheduleSession(engagementId: string, userId: string, input: unknown): Promise<Result<CoachingSessionRow>>;
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
	sessionDates(engagementId: string): Promise<{ kind: SessionKind; number: number; scheduledAt: number; status: SessionStatus }[]>;
	/** The engagement's own plan (title, kind, sessions, frequency, goals), for the contract's first draft. */
	plan(engagementId: string): Promise<EngagementPlan | null>;
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

/** The contract in force, as scheduling needs it (the contracts feature provides it). */
export type ContractInForce = (engagementId: string) => Promise<{ version: number; sessions: number } | null>;

export function createEngagements(db: Kysely<Database>, auth: Pick<Auth, 'usersByIds'> & Partial<Pick<Auth, 'record'>>, deps: { contractInForce?: ContractInForce } = {}): Engagements {
	const membership = createMembership(db, auth);
	const contractInForce: ContractInForce = deps.contractInForce ?? (async () => null);
	return { ...membership, ...createSessions(db, membership, contractInForce), ...createInvites(db, membership, auth), ...createPlans(db) };
}
