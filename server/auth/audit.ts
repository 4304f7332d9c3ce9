/**
 * The audit log: security events of an account (sign-ins and failures,
 * confirmations, resets, revoked sessions, role changes, exports), each
 * readable by the account's owner on their activity page.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { limits } from '../config/index.ts';
import { newId } from './tokens.ts';

export const AUDIT_KINDS = [
	'signed_in',
	'sign_in_failed',
	'sign_in_throttled',
	'signed_out',
	'account_created',
	'sign_up_attempted',
	'email_confirmed',
	'confirmation_requested',
	'password_reset_requested',
	'password_reset',
	'session_revoked',
	'signed_out_everywhere',
	'role_changed',
	'exported',
	'two_factor_enabled',
	'two_factor_disabled',
	'recovery_code_used',
	'recovery_codes_regenerated',
	'second_factor_failed',
	'passkey_added',
	'passkey_removed'
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEvent {
	kind: AuditKind;
	at: number;
	address: string;
	device: string;
	detail: Record<string, string>;
}

export interface Where {
	address: string;
	userAgent: string;
}

export async function record(db: Kysely<Database>, userId: string, kind: AuditKind, where: Where, detail: Record<string, string> = {}): Promise<void> {
	await db
		.insertInto('audit_events')
		.values({ id: newId(), user_id: userId, kind, at: Date.now(), address: where.address.slice(0, 100), user_agent: where.userAgent.slice(0, 512), detail: JSON.stringify(detail) })
		.execute();
}

export async function eventsOf(db: Kysely<Database>, userId: string, describe: (ua: string) => string): Promise<AuditEvent[]> {
	const rows = await db.selectFrom('audit_events').selectAll().where('user_id', '=', userId).orderBy('at', 'desc').limit(limits.auth.auditShown).execute();
	return rows.map((r) => ({ kind: r.kind as AuditKind, at: Number(r.at), address: r.address, device: describe(r.user_agent), detail: JSON.parse(r.detail) as Record<string, string> }));
}
