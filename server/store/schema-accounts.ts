/**
 * Row types of the accounts feature's tables (server/auth owns them), apart
 * from the rest of the schema as the other features' are.
 */
import type { Generated } from 'kysely';

export interface UserRow {
	id: string;
	email: string;
	name: string;
	password_hash: string;
	/** IANA zone name, e.g. Europe/London; see shared/time.ts. */
	time_zone: Generated<string>;
	created_at: number;
	/** When the person showed the address is theirs (a link mailed to it); mail to them waits until then. */
	email_confirmed_at: number | null;
	/** When the person deleted their account; the row stays, anonymised (server/yourdata). */
	erased_at: Generated<number | null>;
}

export interface AuthSessionRow {
	id: string;
	user_id: string;
	expires_at: number;
	created_at: Generated<number>;
	/** Updated at most every limits.auth.lastSeenEveryMs. */
	last_seen_at: Generated<number>;
	user_agent: Generated<string>;
	address: Generated<string>;
}

export type AccountTokenPurpose = 'signup' | 'confirm' | 'reset';

/** A single-use link mailed to an address; the id is the token's SHA-256. */
export interface AccountTokenRow {
	id: string;
	purpose: AccountTokenPurpose;
	email: string;
	user_id: string | null;
	payload: string | null;
	created_at: number;
	expires_at: number;
	used_at: number | null;
}

/** A security event of one account, readable by its owner. */
export interface AuditEventRow {
	id: string;
	user_id: string;
	kind: string;
	at: number;
	address: string;
	user_agent: string;
	detail: string;
}
