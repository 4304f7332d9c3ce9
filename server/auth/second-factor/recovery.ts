/**
 * Recovery codes: ten single-use codes shown once when a second factor is
 * set up (or regenerated), for the day the phone is lost. Only their SHA-256
 * is stored; using one marks it used in the same statement that checks it,
 * so two requests cannot both spend it.
 */
import type { Kysely } from 'kysely';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { limits } from '../../config/index.ts';
import type { Database } from '../../store/index.ts';
import { hashToken, newId } from '../tokens.ts';

/** `xxxxx-xxxxx`: 50 random bits, easy to read out and type. */
export function newRecoveryCode(): string {
	const bytes = new Uint8Array(7);
	crypto.getRandomValues(bytes);
	const s = encodeBase32LowerCaseNoPadding(bytes).slice(0, 10);
	return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** What was typed, in the stored form: case, spaces and dashes do not matter. */
export const recoveryHash = (typed: string) => hashToken(typed.toLowerCase().replace(/[\s-]/g, ''));

/** Replaces every code of the person with a fresh set, returned once. */
export async function replaceRecoveryCodes(db: Kysely<Database>, userId: string): Promise<string[]> {
	const codes = Array.from({ length: limits.auth.twoFactor.recoveryCodes }, newRecoveryCode);
	const now = Date.now();
	await db.transaction().execute(async (trx) => {
		await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
		await trx
			.insertInto('recovery_codes')
			.values(codes.map((c) => ({ id: newId(), user_id: userId, code_hash: recoveryHash(c), created_at: now, used_at: null })))
			.execute();
	});
	return codes;
}

/** Spends a code; true when it was one of the person's unused codes. */
export async function useRecoveryCode(db: Kysely<Database>, userId: string, typed: string): Promise<boolean> {
	const r = await db
		.updateTable('recovery_codes')
		.set({ used_at: Date.now() })
		.where('user_id', '=', userId)
		.where('code_hash', '=', recoveryHash(typed))
		.where('used_at', 'is', null)
		.executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

export async function recoveryCodesLeft(db: Kysely<Database>, userId: string): Promise<number> {
	const r = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
	return Number(r?.n ?? 0);
}
