/**
 * What the accounts feature offers, as types: the \`Auth\` interface that
 * createAuth (index.ts) implements, and the values it passes in and out.
 * Kept apart so index.ts is the implementation; index.ts re-exports all of it.
 */
import type { Result } from '../../shared/result.ts';
import type { LiveConnections } from './live.ts';
import type { Device } from './sessions.ts';
import type { AuditEvent, AuditKind, Where } from './audit.ts';
import type { Pending, SecondFactor, Site } from './second-factor/index.ts';

export interface User {
	id: string;
	email: string;
	name: string;
	/** IANA zone every time is shown in for this person (shared/time.ts). */
	timeZone: string;
}

export interface SignIn {
	user: User;
	token: string;
	expiresAt: number;
	/** Where to go next (a same-site path), when the sign-in finished a sign-up. */
	next?: string;
}

/** The password was right and the account has a second factor: the sign-in waits for it (a pending cookie, not a session). */
export interface SecondFactorNeeded {
	secondFactor: Pending;
}

/** Who is asking, for throttling, the devices page and the audit log; `origin` builds the links mailed. */
export interface RequestContext extends Where {
	origin: string;
	/** Where a finished sign-up continues (a same-site path). */
	next?: string;
}

export interface ValidSession {
	user: User;
	expiresAt: number;
	renewed: boolean;
	/** The session's id (its token's hash), which live connections register under. */
	sessionId: string;
	/** Whether the person confirmed their address (mail to them waits until then). */
	confirmed: boolean;
}

/** What other features may ask of accounts and sign-in. */
export interface Auth {
	live: LiveConnections;
	twoFactor: SecondFactor;
	/** Finishes a pending sign-in with an app or recovery code (second-factor/). */
	verifySecondFactor(token: string | undefined, input: unknown, ctx: Where): Promise<Result<SignIn>>;
	/** Finishes a pending sign-in (`token`) or signs in without a password (null) with a passkey. */
	signInWithPasskey(token: string | null | undefined, input: unknown, ctx: Where, site: Site): Promise<Result<SignIn>>;
	/** Loads the password checker's dictionaries while a person is still typing (sign-up and reset pages). */
	prepareStrengthCheck(): void;
	/** Always the same answer for a valid form: a link was mailed (to finish signing up, or telling the owner). */
	signUp(input: unknown, ctx: RequestContext): Promise<Result<{ email: string }>>;
	/** The sign-up link: creates the confirmed account and signs in. */
	finishSignUp(token: string, ctx: Where): Promise<Result<SignIn>>;
	/** Whether a sign-up link can still be used (for the page that asks to use it). */
	signUpLinkValid(token: string): Promise<boolean>;
	/** Creates a confirmed account at once: for seeding and in-process tests, never offered to routes. */
	createAccount(input: unknown, ctx?: Where): Promise<Result<SignIn>>;
	signIn(input: unknown, ctx: Where): Promise<Result<SignIn | SecondFactorNeeded>>;
	/** The signed-in user for a cookie token, extending the session when it is half used. */
	validateSessionToken(token: string | undefined): Promise<ValidSession | null>;
	signOut(token: string | undefined, ctx?: Where): Promise<void>;
	devices(userId: string, token: string | undefined): Promise<Device[]>;
	/** Ends one of the person's sessions (by its device handle) and closes its live connections. */
	signOutDevice(userId: string, handle: string, ctx: Where): Promise<Result<{ count: number }>>;
	/** Ends all of the person's sessions, this one included. */
	signOutEverywhere(userId: string, ctx: Where): Promise<number>;
	/** Mails a confirmation link to a signed-in person whose address is not confirmed. */
	requestConfirmation(userId: string, ctx: RequestContext): Promise<Result<{ email: string }>>;
	confirmEmail(token: string, ctx: Where): Promise<Result<{ userId: string }>>;
	/** Always the same answer for a valid form, whether or not the address has an account. */
	requestPasswordReset(input: unknown, ctx: RequestContext): Promise<Result<{ email: string }>>;
	resetLinkValid(token: string): Promise<boolean>;
	/** Sets a new password, ends every session of the account (closing their live connections) and signs in afresh. */
	resetPassword(token: string, input: unknown, ctx: Where): Promise<Result<SignIn | SecondFactorNeeded>>;
	activity(userId: string): Promise<AuditEvent[]>;
	/** A person downloaded their data (e.g. a summary as a file): into their audit log. */
	recordExport(userId: string, what: string, where: Where): Promise<void>;
	/** Adds a security event to a person's audit log (e.g. a role change, an export). */
	record(userId: string, kind: AuditKind, where?: Where, detail?: Record<string, string>): Promise<void>;
	/** Which of these ids are accounts whose address is not confirmed yet (mail to them waits). */
	unconfirmedAmong(userIds: readonly string[]): Promise<Set<string>>;
	/** Which of these people confirmed their address. */
	confirmedAmong(userIds: readonly string[]): Promise<Set<string>>;
	/** Whether this is the account's password; null when there is no such account or it was deleted (server/yourdata). */
	passwordMatches(userId: string, password: string): Promise<boolean | null>;
	/** Which of these accounts were deleted (their rows stay, anonymised, for the other party's records). */
	erasedAmong(userIds: readonly string[]): Promise<Set<string>>;
	/** Public details of these accounts (unknown ids are left out). */
	usersByIds(ids: readonly string[]): Promise<User[]>;
	/** Each person's IANA time zone (shared/time.ts), for times in emails. */
	timeZonesOf(ids: readonly string[]): Promise<Map<string, string>>;
	/** The zone a person reads times in; UTC for an unknown id. */
	userTimeZone(userId: string): Promise<string>;
	/** The settings page: a person changes their own time zone. */
	setTimeZone(userId: string, input: unknown): Promise<Result<{ timeZone: string }>>;
}
