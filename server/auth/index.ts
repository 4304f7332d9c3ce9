/**
 * Accounts and sign-in sessions, following Lucia's session design: a random
 * token in an httpOnly cookie, only its SHA-256 in the database, sliding
 * 30-day expiry, server-side invalidation at sign-out.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { settingsForm, signInForm, signUpForm, invalidForm } from '../../shared/forms/index.ts';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { RateLimiter } from './rate-limit.ts';
import { generateToken, hashToken, newId } from './tokens.ts';

export { generateToken, hashToken, newId } from './tokens.ts';
export { RateLimiter } from './rate-limit.ts';
export { readSessionCookie, sessionCookie, clearedSessionCookie, sessionCookieName } from './cookies.ts';

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
}

/** What other features may ask of accounts and sign-in. */
export interface Auth {
	signUp(input: unknown): Promise<Result<SignIn>>;
	signIn(input: unknown, clientAddress: string): Promise<Result<SignIn>>;
	/** The signed-in user for a cookie token, extending the session when it is half used. */
	validateSessionToken(token: string | undefined): Promise<{ user: User; expiresAt: number; renewed: boolean } | null>;
	signOut(token: string | undefined): Promise<void>;
	/** Public details of these accounts (unknown ids are left out). */
	usersByIds(ids: readonly string[]): Promise<User[]>;
	/** Each person's IANA time zone (shared/time.ts), for times in emails. */
	timeZonesOf(ids: readonly string[]): Promise<Map<string, string>>;
	/** The zone a person reads times in; UTC for an unknown id. */
	userTimeZone(userId: string): Promise<string>;
	/** The settings page: a person changes their own time zone. */
	setTimeZone(userId: string, input: unknown): Promise<Result<{ timeZone: string }>>;
}

const publicUser = (u: { id: string; email: string; name: string; time_zone: string }): User => ({ id: u.id, email: u.email, name: u.name, timeZone: u.time_zone });

// A hash to verify against when the email is unknown, so a wrong email and a
// wrong password take the same time and cannot be told apart.
let decoyHash: Promise<string> | undefined;

export function createAuth(db: Kysely<Database>): Auth {
	const loginLimiter = new RateLimiter(limits.auth.loginAttempts, limits.auth.loginWindowMs);

	async function createSession(userId: string): Promise<{ token: string; expiresAt: number }> {
		const token = generateToken();
		const expiresAt = Date.now() + limits.auth.sessionLifetimeMs;
		await db.insertInto('auth_sessions').values({ id: hashToken(token), user_id: userId, expires_at: expiresAt }).execute();
		return { token, expiresAt };
	}

	return {
		async signUp(input) {
			const parsed = signUpForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const { name, email, password, timeZone } = parsed.data;
			const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
			if (existing) return fail('conflict', 'An account with this email already exists. Sign in instead.', 'email');
			const user = { id: newId(), email, name, password_hash: await hashPassword(password), time_zone: timeZone, created_at: Date.now() };
			try {
				await db.insertInto('users').values(user).execute();
			} catch {
				// Two sign-ups racing for one email: the unique index decides.
				return fail('conflict', 'An account with this email already exists. Sign in instead.', 'email');
			}
			return ok({ user: publicUser(user), ...(await createSession(user.id)) });
		},

		async signIn(input, clientAddress) {
			const parsed = signInForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const { email, password } = parsed.data;
			const key = `${clientAddress}|${email}`;
			const wait = loginLimiter.retryAfter(key);
			if (wait > 0) {
				return fail('rate_limited', `Too many attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
			}
			const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
			decoyHash ??= hashPassword('decoy password that never matches');
			const good = await verifyPassword(row?.password_hash ?? (await decoyHash), password);
			if (!row || !good) {
				loginLimiter.hit(key);
				return fail('unauthenticated', 'That email and password do not match an account.');
			}
			loginLimiter.reset(key);
			return ok({ user: publicUser(row), ...(await createSession(row.id)) });
		},

		async validateSessionToken(token) {
			if (!token || token.length > 64) return null;
			const id = hashToken(token);
			const row = await db
				.selectFrom('auth_sessions')
				.innerJoin('users', 'users.id', 'auth_sessions.user_id')
				.select(['auth_sessions.expires_at', 'users.id', 'users.email', 'users.name', 'users.time_zone'])
				.where('auth_sessions.id', '=', id)
				.executeTakeFirst();
			if (!row) return null;
			const now = Date.now();
			if (row.expires_at <= now) {
				await db.deleteFrom('auth_sessions').where('id', '=', id).execute();
				return null;
			}
			let expiresAt = row.expires_at;
			let renewed = false;
			if (expiresAt - now < limits.auth.sessionRenewWithinMs) {
				expiresAt = now + limits.auth.sessionLifetimeMs;
				renewed = true;
				await db.updateTable('auth_sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
			}
			return { user: publicUser(row), expiresAt, renewed };
		},

		async signOut(token) {
			if (token) await db.deleteFrom('auth_sessions').where('id', '=', hashToken(token)).execute();
		},

		async usersByIds(ids) {
			if (ids.length === 0) return [];
			const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'time_zone']).where('id', 'in', [...ids]).execute();
			return rows.map(publicUser);
		},
		async timeZonesOf(ids) {
			if (ids.length === 0) return new Map();
			const rows = await db.selectFrom('users').select(['id', 'time_zone']).where('id', 'in', [...ids]).execute();
			return new Map(rows.map((r) => [r.id, r.time_zone]));
		},

		async userTimeZone(userId) {
			const row = await db.selectFrom('users').select('time_zone').where('id', '=', userId).executeTakeFirst();
			return row && isTimeZone(row.time_zone) ? row.time_zone : DEFAULT_TIME_ZONE;
		},

		async setTimeZone(userId, input) {
			const parsed = settingsForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			await db.updateTable('users').set({ time_zone: parsed.data.timeZone }).where('id', '=', userId).execute();
			return ok({ timeZone: parsed.data.timeZone });
		}
	};
}
