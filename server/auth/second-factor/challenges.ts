/**
 * WebAuthn challenges: random, used once, for a few minutes, and bound to
 * what they were made for (registering a passkey for one person, or signing
 * in). Kept in memory like the rate limiters: they guard one process.
 */
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { limits } from '../../config/index.ts';

export type ChallengePurpose = { kind: 'register'; userId: string } | { kind: 'sign-in'; userId: string | null };

export class Challenges {
	private readonly open = new Map<string, { purpose: ChallengePurpose; expiresAt: number }>();

	issue(purpose: ChallengePurpose, now = Date.now()): { bytes: Uint8Array; id: string } {
		const bytes = new Uint8Array(32);
		crypto.getRandomValues(bytes);
		const id = encodeBase64urlNoPadding(bytes);
		for (const [k, v] of this.open) if (v.expiresAt <= now || this.open.size >= limits.auth.twoFactor.maxChallenges) this.open.delete(k);
		this.open.set(id, { purpose, expiresAt: now + limits.auth.twoFactor.challengeLifetimeMs });
		return { bytes, id };
	}

	/** Uses a challenge up; true only once, within its lifetime, and for the purpose it was made for. */
	use(challenge: Uint8Array, purpose: ChallengePurpose, now = Date.now()): boolean {
		const id = encodeBase64urlNoPadding(challenge);
		const found = this.open.get(id);
		if (!found) return false;
		this.open.delete(id);
		return found.expiresAt > now && found.purpose.kind === purpose.kind && found.purpose.userId === purpose.userId;
	}
}
