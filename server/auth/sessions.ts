/**
 * Sign-in sessions, following Lucia's design: a random token in an httpOnly
 * cookie, only its SHA-256 (the session id) in the database, sliding 30-day
 * expiry, server-side invalidation. Each session remembers the browser and
 * address it was opened from and when it was last seen, for the devices page.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import type { Where } from './audit.ts';
import { generateToken, hashToken } from './tokens.ts';
import { describeDevice } from './user-agent.ts';

export interface Device {
	/** A handle for "sign out this device": the session id hashed once more, so the page never holds a session id. */
	id: string;
	device: string;
	address: string;
	signedInAt: number;
	lastSeenAt: number;
	current: boolean;
}

export const deviceHandle = (sessionId: string) => hashToken(sessionId).slice(0, 24);

export async function createSession(db: Kysely<Database>, userId: string, where: Where, lifetimeMs = limits.auth.sessionLifetimeMs): Promise<{ token: string; expiresAt: number }> {
	const token = generateToken();
	const now = Date.now();
	const expiresAt = now + lifetimeMs;
	await db
		.insertInto('auth_sessions')
		.values({ id: hashToken(token), user_id: userId, expires_at: expiresAt, created_at: now, last_seen_at: now, user_agent: where.userAgent.slice(0, 512), address: where.address.slice(0, 100) })
		.execute();
	return { token, expiresAt };
}

export async function devicesOf(db: Kysely<Database>, userId: string, currentSessionId: string | null): Promise<Device[]> {
	const now = Date.now();
	const rows = await db.selectFrom('auth_sessions').selectAll().where('user_id', '=', userId).where('expires_at', '>', now).orderBy('last_seen_at', 'desc').execute();
	return rows.map((r) => ({
		id: deviceHandle(r.id),
		device: describeDevice(r.user_agent),
		address: r.address || 'unknown',
		signedInAt: Number(r.created_at),
		lastSeenAt: Number(r.last_seen_at),
		current: r.id === currentSessionId
	}));
}

/** Session ids of a person, optionally only the one behind a device handle. */
export async function sessionIdsOf(db: Kysely<Database>, userId: string, handle?: string): Promise<string[]> {
	const rows = await db.selectFrom('auth_sessions').select('id').where('user_id', '=', userId).execute();
	return rows.map((r) => r.id).filter((id) => handle === undefined || deviceHandle(id) === handle);
}

/** Of these session ids, those not expired, with when each expires (for re-checking live connections, live.ts). */
export async function unexpiredSessions(db: Kysely<Database>, ids: string[]): Promise<Map<string, number>> {
	if (ids.length === 0) return new Map();
	const rows = await db.selectFrom('auth_sessions').select(['id', 'expires_at']).where('id', 'in', ids).where('expires_at', '>', Date.now()).execute();
	return new Map(rows.map((r) => [r.id, Number(r.expires_at)]));
}

export async function deleteSessions(db: Kysely<Database>, ids: string[]): Promise<void> {
	if (ids.length > 0) await db.deleteFrom('auth_sessions').where('id', 'in', ids).execute();
}
