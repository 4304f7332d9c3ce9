/**
 * The second factor of sign-in (issue 17). Offers (see `SecondFactor`):
 * - an authenticator app (TOTP, totp.ts): set up by scanning a QR code and
 *   typing one code, off again with the password or a code;
 * - ten single-use recovery codes (recovery.ts), regenerated on demand;
 * - the step between password and session (pending.ts): a sign-in whose
 *   password was right waits here until a code (or recovery code) is given,
 *   throttled per account and address, each failure in the audit log;
 * - passkeys (passkeys.ts): added and removed on the settings page, used as
 *   the second factor or to sign in without a password.
 * Owns `totp_credentials`, `recovery_codes`, `pending_sign_ins`, `passkeys`.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import QRCode from 'qrcode';
import { limits } from '../../config/index.ts';
import type { Database } from '../../store/index.ts';
import type { Logger } from '../../log/index.ts';
import { fail, ok, type Result } from '../../../shared/result.ts';
import { RateLimiter } from '../rate-limit.ts';
import { verifyPassword } from '../passwords.ts';
import { record, type Where } from '../audit.ts';
import { matchingStep, newTotpKey, totpUri } from './totp.ts';
import { recoveryCodesLeft, replaceRecoveryCodes, useRecoveryCode } from './recovery.ts';
import { endPending, pendingUser, startPending, type Pending } from './pending.ts';
import { Challenges } from './challenges.ts';
import { passkeyStore, type PasskeyView, type Site } from './passkeys.ts';
import type { PasskeyCreationOptions, PasskeyRequestOptions } from '../../../shared/accounts/passkey-options.ts';

export type { Pending } from './pending.ts';
export type { PasskeyView, Site } from './passkeys.ts';
export type { PasskeyCreationOptions, PasskeyRequestOptions } from '../../../shared/accounts/passkey-options.ts';

export interface TwoFactorStatus {
	totp: boolean;
	recoveryCodesLeft: number;
	passkeys: PasskeyView[];
}

export interface TotpSetUp {
	/** The key, base32, for typing into an app that cannot scan. */
	key: string;
	uri: string;
	/** The URI as a QR code, a PNG data URL (the CSP allows data: images). */
	qr: string;
}

/** What the settings and sign-in pages ask of the second factor. */
export interface SecondFactor {
	/** Whether the person has a second factor (signing in then asks for it). */
	enabledFor(userId: string): Promise<boolean>;
	/** Which of these people have no second factor (the coach's "require 2FA" refuses them). */
	withoutSecondFactor(userIds: readonly string[]): Promise<Set<string>>;
	status(userId: string): Promise<TwoFactorStatus>;
	/** A new key waiting for its first code; replaces an unfinished one. Refused while an app is on. */
	startTotp(userId: string): Promise<Result<TotpSetUp>>;
	/** The set-up in progress, to show again (after a wrong first code). */
	totpInProgress(userId: string): Promise<TotpSetUp | null>;
	/** The first code from the app turns it on and returns ten recovery codes, shown once. */
	confirmTotp(userId: string, input: unknown, where: Where): Promise<Result<{ recoveryCodes: string[] }>>;
	/** Needs the password or a current code (or a recovery code). */
	disableTotp(userId: string, input: unknown, where: Where): Promise<Result<null>>;
	regenerateRecoveryCodes(userId: string, input: unknown, where: Where): Promise<Result<{ recoveryCodes: string[] }>>;
	/** A password was right: the sign-in waits for the second factor. */
	begin(userId: string): Promise<Pending>;
	/** The person a pending sign-in is for (the page asking for the code), or null when it expired. */
	pendingFor(token: string | undefined): Promise<string | null>;
	/** Finishes a pending sign-in with an app code or a recovery code; the session is made by `finish`. */
	verify<T>(token: string | undefined, input: unknown, where: Where, finish: (userId: string) => Promise<T>): Promise<Result<T>>;
	passkeyRegistrationOptions(userId: string, site: Site): Promise<PasskeyCreationOptions>;
	/** Stores a new passkey; the first second factor of an account also returns its recovery codes. */
	addPasskey(userId: string, input: unknown, where: Where, site: Site): Promise<Result<{ name: string; recoveryCodes: string[] | null }>>;
	/** Needs the password (removing the last one turns two-factor sign-in off). */
	removePasskey(userId: string, input: unknown, where: Where): Promise<Result<{ name: string }>>;
	/** A challenge for the pending sign-in's passkeys (token given) or for any passkey (signing in without a password). */
	passkeySignInOptions(token: string | null | undefined, site: Site): Promise<PasskeyRequestOptions | null>;
	/** Finishes a pending sign-in (`token`), or signs in without a password (`token` null), with a passkey's answer. */
	verifyPasskey<T>(token: string | null | undefined, input: unknown, where: Where, site: Site, finish: (userId: string) => Promise<T>): Promise<Result<T>>;
}

export interface SecondFactorDeps {
	log?: Logger;
}

const codeForm = z.object({ code: z.string().trim().min(1, 'Type the code.').max(40) });
const secondFactorForm = z.object({ code: z.string().trim().max(40).default(''), recoveryCode: z.string().trim().max(40).default('') });
const proofForm = z.object({ password: z.string().max(limits.auth.passwordMaxLength).default(''), code: z.string().trim().max(40).default('') });
const minutes = (ms: number) => Math.ceil(ms / 60_000);

export function createSecondFactor(db: Kysely<Database>, deps: SecondFactorDeps = {}): SecondFactor {
	const { failuresPerAccount } = limits.auth.twoFactor;
	const failures = new RateLimiter(failuresPerAccount, limits.auth.loginWindowMs);
	const perAddress = new RateLimiter(limits.auth.loginFailuresPerAddress, limits.auth.loginWindowMs);

	const keys = passkeyStore(db, new Challenges());
	const totpRow = (userId: string) => db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();

	async function setUpView(userId: string, key: string): Promise<TotpSetUp> {
		const user = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
		const uri = totpUri(user.email, key);
		return { key, uri, qr: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }) };
	}

	/** Accepts an app code once: the step is stored in the same statement that checks it is newer. */
	async function acceptTotp(userId: string, code: string, confirmedOnly = true): Promise<boolean> {
		const row = await totpRow(userId);
		if (!row || (confirmedOnly && row.confirmed_at === null)) return false;
		const step = matchingStep(row.key, code, Date.now(), Number(row.last_step));
		if (step === null) return false;
		const r = await db.updateTable('totp_credentials').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
		return Number(r.numUpdatedRows) === 1;
	}

	/** The password or a code: what turning protection off or regenerating codes needs. */
	async function proven(userId: string, input: unknown, where: Where): Promise<Result<null>> {
		const parsed = proofForm.safeParse(input);
		if (!parsed.success || (!parsed.data.password && !parsed.data.code)) return fail('invalid_input', 'Type your password or a code from your authenticator app.', 'password');
		const wait = Math.max(failures.retryAfter(userId), perAddress.retryAfter(where.address));
		if (wait > 0) return fail('rate_limited', `Too many attempts. Try again in ${minutes(wait)} minute(s).`);
		const { password, code } = parsed.data;
		const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
		const good = password ? await verifyPassword(user.password_hash, password) : (await acceptTotp(userId, code)) || (await spendRecovery(userId, code, where));
		if (good) return ok(null);
		failures.hit(userId);
		perAddress.hit(where.address);
		await record(db, userId, 'second_factor_failed', where, { during: 'settings' });
		return fail('unauthenticated', password ? 'That password is not right.' : 'That code is not right, or was used already.', password ? 'password' : 'code');
	}

	async function spendRecovery(userId: string, code: string, where: Where): Promise<boolean> {
		if (!(await useRecoveryCode(db, userId, code))) return false;
		const left = await recoveryCodesLeft(db, userId);
		await record(db, userId, 'recovery_code_used', where, { left: String(left) });
		deps.log?.info({ user: userId, left }, 'recovery code used');
		return true;
	}

	const totpOn = async (userId: string) => !!(await db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst());
	const enabledFor = async (userId: string) => (await totpOn(userId)) || (await keys.count(userId)) > 0;

	/** A wrong answer at the second step: counted against the account and address, and in the log. */
	async function refused(userId: string, where: Where, detail: Record<string, string>) {
		failures.hit(userId);
		perAddress.hit(where.address);
		await record(db, userId, 'second_factor_failed', where, detail);
		deps.log?.info({ user: userId, ...detail }, 'second factor refused');
	}

	return {
		enabledFor,

		async withoutSecondFactor(userIds) {
			const ids = [...new Set(userIds)];
			if (ids.length === 0) return new Set();
			const rows = await db.selectFrom('totp_credentials').select('user_id').where('user_id', 'in', ids).where('confirmed_at', 'is not', null).execute();
			const withKeys = await db.selectFrom('passkeys').select('user_id').where('user_id', 'in', ids).execute();
			const have = new Set([...rows, ...withKeys].map((r) => r.user_id));
			return new Set(ids.filter((id) => !have.has(id)));
		},

		async status(userId) {
			return { totp: await totpOn(userId), recoveryCodesLeft: await recoveryCodesLeft(db, userId), passkeys: await keys.list(userId) };
		},

		async startTotp(userId) {
			const row = await totpRow(userId);
			if (row?.confirmed_at != null) return fail('conflict', 'Your authenticator app is set up already. Turn it off first to move it to another app.');
			const key = newTotpKey();
			await db.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
			await db.insertInto('totp_credentials').values({ user_id: userId, key, created_at: Date.now(), confirmed_at: null, last_step: 0 }).execute();
			return ok(await setUpView(userId, key));
		},

		async totpInProgress(userId) {
			const row = await totpRow(userId);
			return row && row.confirmed_at === null ? setUpView(userId, row.key) : null;
		},

		async confirmTotp(userId, input, where) {
			const parsed = codeForm.safeParse(input);
			if (!parsed.success) return fail('invalid_input', 'Type the 6-digit code your app shows.', 'code');
			const row = await totpRow(userId);
			if (!row) return fail('gone', 'Start setting up your authenticator app again.');
			if (row.confirmed_at !== null) return fail('conflict', 'Your authenticator app is set up already.');
			const wait = failures.retryAfter(userId);
			if (wait > 0) return fail('rate_limited', `Too many attempts. Try again in ${minutes(wait)} minute(s).`);
			if (!(await acceptTotp(userId, parsed.data.code, false))) {
				failures.hit(userId);
				return fail('invalid_input', "That code does not match. Check the phone's time is set automatically, and type the code the app shows now.", 'code');
			}
			await db.updateTable('totp_credentials').set({ confirmed_at: Date.now() }).where('user_id', '=', userId).execute();
			const recoveryCodes = await replaceRecoveryCodes(db, userId);
			await record(db, userId, 'two_factor_enabled', where, { method: 'authenticator app' });
			return ok({ recoveryCodes });
		},

		async disableTotp(userId, input, where) {
			if (!(await totpOn(userId))) return fail('conflict', 'Your authenticator app is off already.');
			const proof = await proven(userId, input, where);
			if (!proof.ok) return proof;
			await db.deleteFrom('totp_credentials').where('user_id', '=', userId).execute();
			// Recovery codes stay while a passkey is still a second factor.
			if ((await keys.count(userId)) === 0) await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
			await record(db, userId, 'two_factor_disabled', where, { method: 'authenticator app' });
			return ok(null);
		},

		async regenerateRecoveryCodes(userId, input, where) {
			if (!(await enabledFor(userId))) return fail('conflict', 'Turn on two-factor sign-in first.');
			const proof = await proven(userId, input, where);
			if (!proof.ok) return proof;
			const recoveryCodes = await replaceRecoveryCodes(db, userId);
			await record(db, userId, 'recovery_codes_regenerated', where);
			return ok({ recoveryCodes });
		},

		begin: (userId) => startPending(db, userId),

		pendingFor: (token) => pendingUser(db, token),

		async verify(token, input, where, finish) {
			const userId = await pendingUser(db, token);
			if (!token || !userId) return fail('gone', 'This sign-in took too long. Sign in again with your password.');
			const parsed = secondFactorForm.safeParse(input);
			if (!parsed.success || (!parsed.data.code && !parsed.data.recoveryCode)) return fail('invalid_input', 'Type the code from your authenticator app.', 'code');
			const wait = Math.max(failures.retryAfter(userId), perAddress.retryAfter(where.address));
			if (wait > 0) {
				await record(db, userId, 'sign_in_throttled', where, { step: 'second factor' });
				return fail('rate_limited', `Too many wrong codes. Try again in ${minutes(wait)} minute(s).`);
			}
			const { code, recoveryCode } = parsed.data;
			const good = code ? await acceptTotp(userId, code) : await spendRecovery(userId, recoveryCode, where);
			if (!good) {
				await refused(userId, where, { during: 'sign-in', with: code ? 'app code' : 'recovery code' });
				return code
					? fail('unauthenticated', 'That code is not right, or was used already. Type the code your app shows now.', 'code')
					: fail('unauthenticated', 'That recovery code is not right, or was used already.', 'recoveryCode');
			}
			if (!(await endPending(db, token))) return fail('gone', 'This sign-in was finished already or took too long. Sign in again.');
			failures.reset(userId);
			return ok(await finish(userId));
		},

		async passkeyRegistrationOptions(userId, site) {
			const user = await db.selectFrom('users').select(['email', 'name']).where('id', '=', userId).executeTakeFirstOrThrow();
			return keys.registrationOptions(userId, user, site);
		},

		async addPasskey(userId, input, where, site) {
			const first = !(await enabledFor(userId));
			const added = await keys.register(userId, input, site);
			if (!added.ok) return added;
			await record(db, userId, 'passkey_added', where, { name: added.value.name });
			if (first) await record(db, userId, 'two_factor_enabled', where, { method: 'passkey' });
			const recoveryCodes = first || (await recoveryCodesLeft(db, userId)) === 0 ? await replaceRecoveryCodes(db, userId) : null;
			return ok({ name: added.value.name, recoveryCodes });
		},

		async removePasskey(userId, input, where) {
			const parsed = z.object({ id: z.string().min(1).max(2000), password: z.string().max(limits.auth.passwordMaxLength).default('') }).safeParse(input);
			if (!parsed.success) return fail('invalid_input', 'Choose a passkey to remove.');
			if (!parsed.data.password) return fail('invalid_input', 'Type your password to remove a passkey.', 'password');
			const proof = await proven(userId, { password: parsed.data.password }, where);
			if (!proof.ok) return proof;
			const name = await keys.remove(userId, parsed.data.id);
			if (name === null) return fail('not_found', 'That passkey is removed already.');
			await record(db, userId, 'passkey_removed', where, { name });
			if (!(await enabledFor(userId))) {
				await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
				await record(db, userId, 'two_factor_disabled', where, { method: 'last passkey removed' });
			}
			return ok({ name });
		},

		async passkeySignInOptions(token, site) {
			if (token === null) return keys.signInOptions(null, site);
			const userId = await pendingUser(db, token);
			return userId ? keys.signInOptions(userId, site) : null;
		},

		async verifyPasskey(token, input, where, site, finish) {
			const userId = token === null ? null : await pendingUser(db, token);
			if (token !== null && !userId) return fail('gone', 'This sign-in took too long. Sign in again with your password.');
			const wait = Math.max(userId ? failures.retryAfter(userId) : 0, perAddress.retryAfter(where.address));
			if (wait > 0) return fail('rate_limited', `Too many attempts. Try again in ${minutes(wait)} minute(s).`);
			const checked = await keys.verify(userId, input, site);
			if (!checked.ok) {
				if (userId) await refused(userId, where, { during: 'sign-in', with: 'passkey' });
				else perAddress.hit(where.address);
				return checked;
			}
			if (token && !(await endPending(db, token))) return fail('gone', 'This sign-in was finished already or took too long. Sign in again.');
			if (userId) failures.reset(userId);
			return ok(await finish(checked.value.userId));
		}
	};
}
