/**
 * Row types of the second factor's tables (server/auth/second-factor owns
 * them), apart from the rest of the schema as the schemes' are.
 */
export interface TotpCredentialRow {
	user_id: string;
	/** The shared key, base32 (what the authenticator app was given). */
	key: string;
	created_at: number;
	/** Null while set-up waits for the first code. */
	confirmed_at: number | null;
	/** The last time step a code was accepted for (replays are refused). */
	last_step: number;
}

export interface RecoveryCodeRow {
	id: string;
	user_id: string;
	code_hash: string;
	created_at: number;
	used_at: number | null;
}

export interface PasskeyRow {
	id: string;
	user_id: string;
	name: string;
	algorithm: number;
	public_key: string;
	sign_count: number;
	created_at: number;
	last_used_at: number | null;
}

/** A sign-in whose password was right, waiting for its second factor; the id is the token's SHA-256. */
export interface PendingSignInRow {
	id: string;
	user_id: string;
	created_at: number;
	expires_at: number;
}
