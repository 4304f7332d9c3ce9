/**
 * The second factor's logic: which time steps an authenticator-app code is
 * accepted in, that a code is never accepted twice, and that recovery codes
 * are single use, stored hashed, and replaced as a set (on SQLite and
 * PostgreSQL, through the real store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { matchingStep, newTotpKey, stepAt, totpUri } from '../../server/auth/second-factor/totp.ts';
import { newRecoveryCode, recoveryCodesLeft, replaceRecoveryCodes, useRecoveryCode } from '../../server/auth/second-factor/recovery.ts';
import { createAuth } from '../../server/auth/index.ts';
import { limits } from '../../server/config/index.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';
import type { DbKind } from '../helpers/server.ts';

const PERIOD_MS = limits.auth.twoFactor.totpPeriodSeconds * 1000;
const codeAt = (key: string, step: number) => generateHOTP(decodeBase32IgnorePadding(key), BigInt(step), limits.auth.twoFactor.totpDigits);

describe('authenticator-app codes', () => {
	const key = newTotpKey();
	const now = Date.UTC(2026, 11, 1, 15, 0, 10);
	const step = stepAt(now);

	it('accepts the code of this step and of one step either side, and says which step it was', () => {
		expect(matchingStep(key, codeAt(key, step), now, 0)).toBe(step);
		expect(matchingStep(key, codeAt(key, step - 1), now, 0)).toBe(step - 1);
		expect(matchingStep(key, codeAt(key, step + 1), now, 0)).toBe(step + 1);
	});

	it('refuses codes two steps away (older or newer)', () => {
		expect(matchingStep(key, codeAt(key, step - 2), now, 0)).toBeNull();
		expect(matchingStep(key, codeAt(key, step + 2), now, 0)).toBeNull();
		// The same code a minute later is stale.
		expect(matchingStep(key, codeAt(key, step), now + 2 * PERIOD_MS, 0)).toBeNull();
	});

	it('refuses a replay: a code whose step is not after the last accepted one', () => {
		expect(matchingStep(key, codeAt(key, step), now, step)).toBeNull();
		expect(matchingStep(key, codeAt(key, step - 1), now, step)).toBeNull();
		// The next step's code is still good after this one was used.
		expect(matchingStep(key, codeAt(key, step + 1), now, step)).toBe(step + 1);
	});

	it('reads codes as people type them, and refuses anything that is not 6 digits', () => {
		const c = codeAt(key, step);
		expect(matchingStep(key, `${c.slice(0, 3)} ${c.slice(3)}`, now, 0)).toBe(step);
		expect(matchingStep(key, `${c.slice(0, 3)}-${c.slice(3)}`, now, 0)).toBe(step);
		for (const bad of ['', '12345', '1234567', 'abcdef', `${c}0`]) expect(matchingStep(key, bad, now, 0)).toBeNull();
	});

	it("another key's code does not match", () => {
		const other = newTotpKey();
		expect(other).not.toBe(key);
		// (Two random keys share a code in a step one time in a million.)
		expect(matchingStep(key, codeAt(other, step), now, 0)).toBeNull();
	});

	it('puts the key, issuer, period and digits into the otpauth URI', () => {
		const uri = new URL(totpUri('casey@example.org', key));
		expect(uri.protocol).toBe('otpauth:');
		expect(uri.searchParams.get('secret')).toBe(key);
		expect(uri.searchParams.get('issuer')).toBe('Confidante');
		expect(uri.searchParams.get('period')).toBe('30');
		expect(uri.searchParams.get('digits')).toBe('6');
		expect(decodeURIComponent(uri.pathname)).toContain('casey@example.org');
	});
});

describe('recovery code format', () => {
	it('is two groups of five base32 letters, different every time', () => {
		const codes = Array.from({ length: 50 }, newRecoveryCode);
		for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
		expect(new Set(codes).size).toBe(50);
	});
});

describe.each<DbKind>(['sqlite', 'postgres'])('recovery codes on %s', (kind) => {
	let t: TestStore;
	let userId: string;
	beforeAll(async () => {
		t = await openTestStore(kind, 'two-factor');
		const made = await createAuth(t.store.db).createAccount({ name: 'Rosa Recovery', email: `rosa.${kind}@example.org`, password: 'a long enough password' });
		if (!made.ok) throw new Error(JSON.stringify(made.error));
		userId = made.value.user.id;
	});
	afterAll(() => t?.close());

	it('makes ten, stores only their hashes, and each works once', async () => {
		const codes = await replaceRecoveryCodes(t.store.db, userId);
		expect(codes).toHaveLength(limits.auth.twoFactor.recoveryCodes);
		const stored = await t.store.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).execute();
		expect(stored).toHaveLength(10);
		for (const c of codes) expect(stored.map((r) => r.code_hash)).not.toContain(c);
		expect(await useRecoveryCode(t.store.db, userId, codes[0]!)).toBe(true);
		expect(await useRecoveryCode(t.store.db, userId, codes[0]!)).toBe(false);
		// Typed in capitals without the dash it is the same code.
		expect(await useRecoveryCode(t.store.db, userId, codes[1]!.toUpperCase().replace('-', ' '))).toBe(true);
		expect(await recoveryCodesLeft(t.store.db, userId)).toBe(8);
		expect(await useRecoveryCode(t.store.db, userId, 'aaaaa-aaaaa')).toBe(false);
	});

	it('two requests spending one code at once: only one succeeds', async () => {
		const [code] = await replaceRecoveryCodes(t.store.db, userId);
		const both = await Promise.all([useRecoveryCode(t.store.db, userId, code!), useRecoveryCode(t.store.db, userId, code!)]);
		expect(both.filter(Boolean)).toHaveLength(1);
	});

	it('regenerating replaces the whole set: old codes stop working', async () => {
		const old = await replaceRecoveryCodes(t.store.db, userId);
		const fresh = await replaceRecoveryCodes(t.store.db, userId);
		expect(await useRecoveryCode(t.store.db, userId, old[2]!)).toBe(false);
		expect(await useRecoveryCode(t.store.db, userId, fresh[2]!)).toBe(true);
		expect(await recoveryCodesLeft(t.store.db, userId)).toBe(9);
	});

	it("one person's code does not work for another", async () => {
		const made = await createAuth(t.store.db).createAccount({ name: 'Other Person', email: `other.${kind}@example.org`, password: 'a long enough password' });
		if (!made.ok) throw new Error(JSON.stringify(made.error));
		const codes = await replaceRecoveryCodes(t.store.db, userId);
		expect(await useRecoveryCode(t.store.db, made.value.user.id, codes[0]!)).toBe(false);
	});
});
