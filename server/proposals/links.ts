/**
 * Scoping links: made by the coach (shown once to copy, or made afresh for
 * each email), only the token's hash stored, expiring. A link does one thing:
 * it shows its proposal's scoping questions and takes the answers once. It
 * needs no account and reveals nothing beyond the proposal's title, what is
 * asked for and the coach's name; once the proposal is answered, taken on or
 * declined, the link says so and takes nothing more.
 */
import { limits } from '../config/index.ts';
import { generateToken, hashToken } from '../auth/index.ts';
import type { ScopingLinkRow } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { Db, Proposal } from './store.ts';
import { findProposal } from './store.ts';

export const INVALID = 'This scoping link is not valid. Check that you copied all of it, or ask the coach for a new one.';
export const EXPIRED = 'This scoping link has expired. Ask the coach for a new one.';

export type LinkState = 'open' | 'expired' | 'answered' | 'taken' | 'declined';

/** What a link can do now. A decision shows even on an expired link: the prospect should hear how it ended. */
export function linkState(link: Pick<ScopingLinkRow, 'expires_at'>, proposal: Pick<Proposal, 'status'>, now: number): LinkState {
	if (proposal.status === 'taken' || proposal.status === 'declined') return proposal.status;
	if (proposal.status === 'answered') return 'answered';
	return link.expires_at <= now ? 'expired' : 'open';
}

export async function createLink(db: Db, proposalId: string, now: number): Promise<{ token: string; expiresAt: number }> {
	const token = generateToken();
	const expiresAt = now + limits.scoping.linkLifetimeMs;
	await db.insertInto('scoping_links').values({ id: hashToken(token), proposal_id: proposalId, created_at: now, expires_at: expiresAt, used_at: null }).execute();
	return { token, expiresAt };
}

/** The link and its proposal, or a refusal that says nothing about any proposal. */
export async function openLink(db: Db, token: string, now: number): Promise<Result<{ link: ScopingLinkRow; proposal: Proposal; state: LinkState }>> {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return fail('not_found', INVALID);
	const link = await db.selectFrom('scoping_links').selectAll().where('id', '=', hashToken(token)).executeTakeFirst();
	const proposal = link ? await findProposal(db, link.proposal_id) : null;
	if (!link || !proposal) return fail('not_found', INVALID);
	const state = linkState(link, proposal, now);
	return state === 'expired' ? fail('gone', EXPIRED) : ok({ link, proposal, state });
}
