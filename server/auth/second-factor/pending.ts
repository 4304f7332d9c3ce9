/**
 * A sign-in halfway: the password (or a reset link) was right, the second
 * factor is awaited. Its token lives in its own short-lived cookie and its
 * row is not a session: `validateSessionToken` never sees it, so it opens no
 * page, socket or pad. Finishing it deletes the row (single use).
 */
import type { Kysely } from 'kysely';
import { limits } from '../../config/index.ts';
import type { Database } from '../../store/index.ts';
import { generateToken, hashToken } from '../tokens.ts';

export interface Pending {
	token: string;
	expiresAt: number;
}

export async function startPending(db: Kysely<Database>, userId: string): Promise<Pending> {
	const token = generateToken();
	const now = Date.now();
	const expiresAt = now + limits.auth.twoFactor.pendingLifetimeMs;
	await db.deleteFrom('pending_sign_ins').where('expires_at', '<=', now).execute();
	await db.insertInto('pending_sign_ins').values({ id: hashToken(token), user_id: userId, created_at: now, expires_at: expiresAt }).execute();
	return { token, expiresAt };
}

/** The person a live pending sign-in is for, without using it up. */
export async function pendingUser(db: Kysely<Database>, token: string | undefined): Promise<string | null> {
	if (!token || token.length > 64) return null;
	const row = await db.selectFrom('pending_sign_ins').select(['user_id', 'expires_at']).where('id', '=', hashToken(token)).executeTakeFirst();
	return row && Number(row.expires_at) > Date.now() ? row.user_id : null;
}

/** Uses the pending sign-in up; true only for the one request that did. */
export async function endPending(db: Kysely<Database>, token: string): Promise<boolean> {
	const r = await db.deleteFrom('pending_sign_ins').where('id', '=', hashToken(token)).where('expires_at', '>', Date.now()).executeTakeFirst();
	return Number(r.numDeletedRows) === 1;
}
