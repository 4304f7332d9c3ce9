/**
 * Accounts and sign-in. Offers (see `Auth` in types.ts):
 * - sign-up that answers the same whether or not the address has an account:
 *   the account is created only when the link mailed to the address is used,
 *   and the owner of an existing account is told someone tried;
 * - sign-in throttled per email+address, per account and per address;
 * - sessions (sessions.ts) listed per device and revocable, whose live
 *   connections (`live`, live.ts) close the moment the session ends;
 * - address confirmation (mail to a person waits until then) and password
 *   reset by single-use, short-lived links (links.ts);
 * - the audit log of security events each person reads for their account;
 * - the second factor (second-factor/): with one, a right password (or a
 *   reset link) gives a pending sign-in that waits for the code.
 * This folder owns `users`, `auth_sessions`, `account_tokens`, `audit_events`.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Database } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { signInForm, signUpForm, invalidForm, resetRequestForm, newPasswordForm } from '../../shared/forms/index.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time.ts';
import { safeNext } from '../../shared/accounts/next-path.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { RateLimiter, type MakeThrottle } from './rate-limit.ts';
import { hashToken, newId } from './tokens.ts';
import { warmUpStrengthCheck, weakPasswordMessage } from './strength.ts';
import { LiveConnections } from './live.ts';
import { accountMailer } from './account-mail.ts';
import { issueLink, peekLink, useLink, voidLinks } from './links.ts';
import { createSession, deleteSessions, devicesOf, sessionIdsOf, unexpiredSessions } from './sessions.ts';
import { eventsOf, record, type Where } from './audit.ts';
import { describeDevice } from './user-agent.ts';
import { people, publicUser } from './people.ts';
import { createSecondFactor } from './second-factor/index.ts';

export { generateToken, hashToken, newId } from './tokens.ts';
export { RateLimiter, throttles, type MakeThrottle, type Throttle } from './rate-limit.ts';
export { LiveConnections } from './live.ts';
export { readSessionCookie, sessionCookie, clearedSessionCookie, sessionCookieName } from './cookies.ts';
export type { Device } from './sessions.ts';
export type { AuditEvent, AuditKind, Where } from './audit.ts';
export type { SecondFactor, TwoFactorStatus, TotpSetUp, Pending, PasskeyView, PasskeyCreationOptions, PasskeyRequestOptions, Site } from './second-factor/index.ts';
export type { User, SignIn, SecondFactorNeeded, RequestContext, ValidSession, Auth } from './types.ts';
import type { SignIn, SecondFactorNeeded, RequestContext, Auth } from './types.ts';

export interface AuthDeps {
	mail?: MailQueue;
	/** The deployment's public origin (ORIGIN); links use it, else the request's own origin. */
	origin?: string;
	signUpsPerAddressPerHour?: number;
	/** How long a sign-in lasts unused (config.sessionLifetimeMs). */
	sessionLifetimeMs?: number;
	log?: Logger;
	/** Where sign-in, sign-up, reset and account-mail counters live (Redis with a cluster); in memory by default. */
	throttle?: MakeThrottle;
}

const nowhere: Where = { address: 'server', userAgent: '' };
const pendingSignUp = z.object({ name: z.string(), passwordHash: z.string(), timeZone: z.string().optional(), next: z.string().optional() });

// A hash to verify against when the email is unknown, so a wrong email and a
// wrong password take the same time and cannot be told apart.
let decoyHash: Promise<string> | undefined;

const minutes = (ms: number) => Math.ceil(ms / 60_000);

export function createAuth(db: Kysely<Database>, deps: AuthDeps = {}): Auth {
	const live = new LiveConnections();
	const lifetimeMs = deps.sessionLifetimeMs ?? limits.auth.sessionLifetimeMs;
	live.watch(
		(ids) => unexpiredSessions(db, ids),
		(err) => deps.log?.warn({ err }, 'the sessions of live connections could not be checked; trying again')
	);
	const twoFactor = createSecondFactor(db, deps.log ? { log: deps.log } : {});
	const mailer = accountMailer(db, deps.mail);
	const throttle: MakeThrottle = deps.throttle ?? ((_name, max, windowMs) => new RateLimiter(max, windowMs));
	const perEmailAndAddress = throttle('perEmailAndAddress', limits.auth.loginAttempts, limits.auth.loginWindowMs);
	const perAccount = throttle('perAccount', limits.auth.loginFailuresPerAccount, limits.auth.loginWindowMs);
	const perAddress = throttle('perAddress', limits.auth.loginFailuresPerAddress, limits.auth.loginWindowMs);
	const signUps = throttle('signUps', deps.signUpsPerAddressPerHour ?? 10, limits.auth.signUpWindowMs);
	const resets = throttle('resets', limits.auth.resetRequestsPerAddress, limits.auth.resetWindowMs);
	const accountMails = throttle('accountMails', limits.auth.accountMailsPerAddress, limits.auth.accountMailWindowMs);
	// A few tries per sign-up an address may make, so raising that limit (an office, the tests) raises this one.
	const strengthChecks = throttle('strengthChecks', Math.max(limits.auth.strengthChecksPerAddress, 6 * (deps.signUpsPerAddressPerHour ?? 10)), limits.auth.strengthCheckWindowMs);
	const originOf = (ctx: RequestContext) => deps.origin ?? ctx.origin;
	const tooMany = (wait: number) => fail('rate_limited', `Too many attempts. Try again in ${minutes(wait)} minute(s).`);

	/** The strength check, counted per address: it costs a worker real CPU, so nobody may queue it without end. */
	async function weakness(password: string, inputs: string[], where: Where): Promise<Result<null>> {
		const wait = await strengthChecks.retryAfter(where.address);
		if (wait > 0) return tooMany(wait);
		await strengthChecks.hit(where.address);
		const weak = await weakPasswordMessage(password, inputs);
		return weak ? fail('invalid_input', weak, 'password') : ok(null);
	}

	/** Sends an account email unless this address has had its share this hour (nobody mail-bombs an address through us). */
	async function mailOnce(to: { userId: string | null; name: string; address: string }, subject: string, text: string, keepMs: number) {
		if ((await accountMails.retryAfter(to.address)) > 0) {
			deps.log?.warn({ user: to.userId }, 'account email not sent: this address had its share this hour');
			return;
		}
		await accountMails.hit(to.address);
		await mailer.send(to, { subject, text }, keepMs);
	}

	async function userByEmail(email: string) {
		return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
	}

	async function endSessions(ids: string[]) {
		await deleteSessions(db, ids);
		live.closeSessions(ids);
	}

	async function markConfirmed(userId: string, where: Where): Promise<void> {
		const r = await db.updateTable('users').set({ email_confirmed_at: Date.now() }).where('id', '=', userId).where('email_confirmed_at', 'is', null).executeTakeFirst();
		if (Number(r.numUpdatedRows) !== 1) return;
		await record(db, userId, 'email_confirmed', where);
		const released = (await deps.mail?.release(userId)) ?? 0;
		if (released > 0) deps.log?.info({ user: userId, released }, 'held mail released after the address was confirmed');
	}

	async function insertUser(name: string, email: string, passwordHash: string, where: Where, timeZone?: string): Promise<Result<SignIn>> {
		const now = Date.now();
		const zone = timeZone && isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
		const user = { id: newId(), email, name, password_hash: passwordHash, time_zone: zone, created_at: now, email_confirmed_at: now };
		try {
			await db.insertInto('users').values(user).execute();
		} catch {
			// Two sign-ups for one address, both confirmed: the unique index decides.
			return fail('conflict', 'An account with this email address exists already. Sign in instead.');
		}
		await record(db, user.id, 'account_created', where);
		await record(db, user.id, 'email_confirmed', where);
		return ok({ user: publicUser(user), ...(await createSession(db, user.id, where, lifetimeMs)) });
	}

	/** A session, or the pending step when the person has a second factor (a reset link does not bypass it). */
	async function signInOrPend(row: { id: string; email: string; name: string; time_zone: string }, where: Where): Promise<SignIn | SecondFactorNeeded> {
		if (await twoFactor.enabledFor(row.id)) return { secondFactor: await twoFactor.begin(row.id) };
		await record(db, row.id, 'signed_in', where);
		return { user: publicUser(row), ...(await createSession(db, row.id, where, lifetimeMs)) };
	}

	async function sessionAfterSecondFactor(userId: string, where: Where, how: string): Promise<SignIn> {
		const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
		await record(db, userId, 'signed_in', where, { with: how });
		return { user: publicUser(row), ...(await createSession(db, userId, where, lifetimeMs)) };
	}

	return {
		live,
		twoFactor,

		async verifySecondFactor(token, input, where) {
			return twoFactor.verify(token, input, where, (userId) => sessionAfterSecondFactor(userId, where, 'second factor'));
		},

		async signInWithPasskey(token, input, where, site) {
			return twoFactor.verifyPasskey(token, input, where, site, (userId) => sessionAfterSecondFactor(userId, where, token === null ? 'passkey' : 'second factor (passkey)'));
		},

		prepareStrengthCheck: warmUpStrengthCheck,

		async signUp(input, ctx) {
			const parsed = signUpForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const { name, email, password, timeZone } = parsed.data;
			const wait = await signUps.retryAfter(ctx.address);
			if (wait > 0) return tooMany(wait);
			const strong = await weakness(password, [name, email], ctx);
			if (!strong.ok) return strong;
			await signUps.hit(ctx.address);
			// Hashed either way, so both answers take the same time.
			const passwordHash = await hashPassword(password);
			const existing = await userByEmail(email);
			const origin = originOf(ctx);
			if (existing) {
				await record(db, existing.id, 'sign_up_attempted', ctx);
				await mailOnce(
					{ userId: existing.id, name: existing.name, address: existing.email },
					'Someone tried to sign up with your address',
					`Hello ${existing.name},\n\nSomeone, maybe you, tried to create a Confidante account with this address, which has one already. Nothing was changed.\n\nIf it was you, sign in: ${origin}/signin\nForgot your password? Choose a new one: ${origin}/reset\n\nIf it was not you, you can ignore this email.\n`,
					limits.auth.signUpLinkLifetimeMs
				);
			} else {
				const token = await issueLink(db, { purpose: 'signup', email, userId: null, payload: { name, passwordHash, timeZone, next: safeNext(ctx.next) }, lifetimeMs: limits.auth.signUpLinkLifetimeMs });
				await mailOnce(
					{ userId: null, name, address: email },
					'Finish creating your Confidante account',
					`Hello ${name},\n\nOpen this link to confirm that this address is yours and finish creating your account:\n\n${origin}/signup/confirm/${token}\n\nThe link works once, for the next 24 hours. If you did not sign up for Confidante, ignore this email: no account is created without it.\n`,
					limits.auth.signUpLinkLifetimeMs
				);
			}
			return ok({ email });
		},

		async signUpLinkValid(token) {
			return (await peekLink(db, 'signup', token)) !== null;
		},

		async finishSignUp(token, where) {
			const row = await useLink(db, 'signup', token);
			const payload = row && pendingSignUp.safeParse(JSON.parse(row.payload ?? 'null'));
			if (!row || !payload?.success) return fail('gone', 'This link was used already or has expired. Sign in, or sign up again for a new link.');
			const made = await insertUser(payload.data.name, row.email, payload.data.passwordHash, where, payload.data.timeZone);
			return made.ok ? ok({ ...made.value, next: safeNext(payload.data.next) }) : made;
		},

		async createAccount(input, where = nowhere) {
			const parsed = signUpForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			return insertUser(parsed.data.name, parsed.data.email, await hashPassword(parsed.data.password), where, parsed.data.timeZone);
		},

		async signIn(input, ctx) {
			const parsed = signInForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const { email, password } = parsed.data;
			const pair = `${ctx.address}|${email}`;
			const wait = Math.max(await perEmailAndAddress.retryAfter(pair), await perAccount.retryAfter(email), await perAddress.retryAfter(ctx.address));
			if (wait > 0) return tooMany(wait);
			const row = await userByEmail(email);
			decoyHash ??= hashPassword('decoy password that never matches');
			const good = await verifyPassword(row?.password_hash ?? (await decoyHash), password);
			if (!row || !good) {
				await perEmailAndAddress.hit(pair);
				await perAccount.hit(email);
				await perAddress.hit(ctx.address);
				if (row) await record(db, row.id, 'sign_in_failed', ctx);
				return fail('unauthenticated', 'That email and password do not match an account.');
			}
			await perEmailAndAddress.reset(pair);
			return ok(await signInOrPend(row, ctx));
		},

		async validateSessionToken(token) {
			if (!token || token.length > 64) return null;
			const id = hashToken(token);
			const row = await db
				.selectFrom('auth_sessions')
				.innerJoin('users', 'users.id', 'auth_sessions.user_id')
				.select(['auth_sessions.expires_at', 'auth_sessions.last_seen_at', 'users.id', 'users.email', 'users.name', 'users.time_zone', 'users.email_confirmed_at'])
				.where('auth_sessions.id', '=', id)
				.executeTakeFirst();
			if (!row) return null;
			const now = Date.now();
			if (row.expires_at <= now) {
				await db.deleteFrom('auth_sessions').where('id', '=', id).execute();
				return null;
			}
			let expiresAt = Number(row.expires_at);
			let renewed = false;
			const patch: { expires_at?: number; last_seen_at?: number } = {};
			if (expiresAt - now < lifetimeMs / 2) {
				expiresAt = now + lifetimeMs;
				renewed = true;
				patch.expires_at = expiresAt;
			}
			if (now - Number(row.last_seen_at) > limits.auth.lastSeenEveryMs) patch.last_seen_at = now;
			if (Object.keys(patch).length > 0) await db.updateTable('auth_sessions').set(patch).where('id', '=', id).execute();
			return { user: publicUser(row), expiresAt, renewed, sessionId: id, confirmed: row.email_confirmed_at !== null };
		},

		async signOut(token, where = nowhere) {
			if (!token || token.length > 64) return;
			const id = hashToken(token);
			const row = await db.selectFrom('auth_sessions').select('user_id').where('id', '=', id).executeTakeFirst();
			await endSessions([id]);
			if (row) await record(db, row.user_id, 'signed_out', where);
		},

		async devices(userId, token) {
			return devicesOf(db, userId, token && token.length <= 64 ? hashToken(token) : null);
		},

		async signOutDevice(userId, handle, where) {
			const ids = await sessionIdsOf(db, userId, handle);
			if (ids.length === 0) return fail('not_found', 'That device is signed out already.');
			await endSessions(ids);
			await record(db, userId, 'session_revoked', where);
			return ok({ count: ids.length });
		},

		async signOutEverywhere(userId, where) {
			const ids = await sessionIdsOf(db, userId);
			await endSessions(ids);
			await record(db, userId, 'signed_out_everywhere', where, { sessions: String(ids.length) });
			return ids.length;
		},

		async requestConfirmation(userId, ctx) {
			const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
			if (!user) return fail('not_found', 'There is no such account.');
			if (user.email_confirmed_at !== null) return fail('conflict', 'Your address is confirmed already.');
			if ((await accountMails.retryAfter(user.email)) > 0) return tooMany(await accountMails.retryAfter(user.email));
			const token = await issueLink(db, { purpose: 'confirm', email: user.email, userId, lifetimeMs: limits.auth.confirmLinkLifetimeMs });
			await record(db, userId, 'confirmation_requested', ctx);
			await mailOnce(
				{ userId, name: user.name, address: user.email },
				'Confirm your email address for Confidante',
				`Hello ${user.name},\n\nOpen this link to confirm that this address is yours. Until then, summaries and other emails for you wait:\n\n${originOf(ctx)}/confirm/${token}\n\nThe link works once, for the next 24 hours.\n`,
				limits.auth.confirmLinkLifetimeMs
			);
			return ok({ email: user.email });
		},

		async confirmEmail(token, where) {
			const row = await useLink(db, 'confirm', token);
			if (!row?.user_id) return fail('gone', 'This link was used already or has expired. Ask for a new one from the banner at the top of any page.');
			const user = await db.selectFrom('users').select(['id', 'email']).where('id', '=', row.user_id).executeTakeFirst();
			if (!user || user.email !== row.email) return fail('gone', 'This link is for an address the account no longer has.');
			await markConfirmed(user.id, where);
			return ok({ userId: user.id });
		},

		async requestPasswordReset(input, ctx) {
			const parsed = resetRequestForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const { email } = parsed.data;
			const wait = await resets.retryAfter(ctx.address);
			if (wait > 0) return tooMany(wait);
			await resets.hit(ctx.address);
			const user = await userByEmail(email);
			if (user) {
				const token = await issueLink(db, { purpose: 'reset', email, userId: user.id, lifetimeMs: limits.auth.resetLinkLifetimeMs });
				await record(db, user.id, 'password_reset_requested', ctx);
				await mailOnce(
					{ userId: user.id, name: user.name, address: user.email },
					'Choose a new Confidante password',
					`Hello ${user.name},\n\nSomeone, hopefully you, asked to reset the password of your Confidante account. Open this link to choose a new one:\n\n${originOf(ctx)}/reset/${token}\n\nThe link works once, for the next ${minutes(limits.auth.resetLinkLifetimeMs)} minutes. Choosing a new password signs you out on every device.\nIf you did not ask for this, ignore this email: your password stays as it is.\n`,
					limits.auth.resetLinkLifetimeMs
				);
			}
			return ok({ email });
		},

		async resetLinkValid(token) {
			return (await peekLink(db, 'reset', token)) !== null;
		},

		async resetPassword(token, input, where) {
			const parsed = newPasswordForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const row = await peekLink(db, 'reset', token);
			const user = row?.user_id ? await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst() : undefined;
			if (!row || !user || user.email !== row.email) return fail('gone', 'This reset link was used already or has expired. Ask for a new one.');
			const strong = await weakness(parsed.data.password, [user.name, user.email], where);
			if (!strong.ok) return strong;
			if (!(await useLink(db, 'reset', token))) return fail('gone', 'This reset link was used already or has expired. Ask for a new one.');
			await db.updateTable('users').set({ password_hash: await hashPassword(parsed.data.password) }).where('id', '=', user.id).execute();
			await voidLinks(db, user.id, 'reset');
			const ended = await sessionIdsOf(db, user.id);
			await endSessions(ended);
			await record(db, user.id, 'password_reset', where, { sessionsEnded: String(ended.length) });
			// The link came to the address, so the address is theirs.
			await markConfirmed(user.id, where);
			return ok(await signInOrPend(user, where));
		},

		async activity(userId) {
			return eventsOf(db, userId, describeDevice);
		},

		async recordExport(userId, what, where) {
			await record(db, userId, 'exported', where, { what: what.slice(0, 200) });
		},

		async record(userId, kind, where = nowhere, detail = {}) {
			await record(db, userId, kind, where, detail);
		},

		...people(db),
		async passwordMatches(userId, password) {
			const row = await db.selectFrom('users').select(['password_hash', 'erased_at']).where('id', '=', userId).executeTakeFirst();
			if (!row || row.erased_at !== null) return null;
			return verifyPassword(row.password_hash, password);
		},
		async erasedAmong(userIds) {
			if (userIds.length === 0) return new Set();
			const rows = await db.selectFrom('users').select('id').where('id', 'in', [...userIds]).where('erased_at', 'is not', null).execute();
			return new Set(rows.map((r) => r.id));
		}
	};
}
