/** Single-use, expiring account links: only the token's hash is stored, and using one is a guarded update, so it works once. */
import type { Kysely } from 'kysely';
import type { AccountTokenPurpose, AccountTokenRow, Database } from '../store/index.ts';
import { generateToken, hashToken } from './tokens.ts';

export async function issueLink(
	db: Kysely<Database>,
	row: { purpose: AccountTokenPurpose; email: string; userId: string | null; payload?: unknown; lifetimeMs: number }
): Promise<string> {
	const token = generateToken();
	const now = Date.now();
	await db
		.insertInto('account_tokens')
		.values({
			id: hashToken(token),
			purpose: row.purpose,
			email: row.email,
			user_id: row.userId,
			payload: row.payload === undefined ? null : JSON.stringify(row.payload),
			created_at: now,
			expires_at: now + row.lifetimeMs,
			used_at: null
		})
		.execute();
	return token;
}

/** The link's row while it is unused and unexpired. */
export async function peekLink(db: Kysely<Database>, purpose: AccountTokenPurpose, token: string): Promise<AccountTokenRow | null> {
	if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
	const row = await db.selectFrom('account_tokens').selectAll().where('id', '=', hashToken(token)).where('purpose', '=', purpose).executeTakeFirst();
	if (!row || row.used_at !== null || Number(row.expires_at) <= Date.now()) return null;
	return row;
}

/** Uses the link: the row if this call was the one that used it, else null. */
export async function useLink(db: Kysely<Database>, purpose: AccountTokenPurpose, token: string): Promise<AccountTokenRow | null> {
	const row = await peekLink(db, purpose, token);
	if (!row) return null;
	const r = await db.updateTable('account_tokens').set({ used_at: Date.now() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
	return Number(r.numUpdatedRows) === 1 ? row : null;
}

/** Every other unused link of a person for this purpose stops working (e.g. after a reset). */
export async function voidLinks(db: Kysely<Database>, userId: string, purpose: AccountTokenPurpose): Promise<void> {
	await db.updateTable('account_tokens').set({ used_at: Date.now() }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
}
