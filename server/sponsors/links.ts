/**
 * Sponsor invite links: single use, expiring, made by the coach. The link
 * says who invites and to which engagement, nothing more; it is refused to
 * the engagement's own coach and coachees (they are already in it).
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database, EngagementKind, EngagementRole, SponsorLinkRow } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { generateToken, hashToken } from '../auth/index.ts';
import { inviteState } from '../engagements/index.ts';

const INVALID = 'This sponsor link is not valid. Check that you copied all of it, or ask the coach for a new one.';
const USED = 'This sponsor link has already been used. Ask the coach for a new one.';
const EXPIRED = 'This sponsor link has expired. Ask the coach for a new one.';

export async function createSponsorLink(db: Kysely<Database>, engagementId: string, coachId: string): Promise<{ token: string; expiresAt: number }> {
	const token = generateToken();
	const now = Date.now();
	const expiresAt = now + limits.sponsors.linkLifetimeMs;
	await db
		.insertInto('sponsor_links')
		.values({ id: hashToken(token), engagement_id: engagementId, created_by: coachId, created_at: now, expires_at: expiresAt, used_at: null, used_by: null })
		.execute();
	return { token, expiresAt };
}

/** Who and what a link names, from the engagements and auth features. */
export interface LinkSources {
	engagement(engagementId: string): Promise<{ title: string; kind: EngagementKind } | null>;
	roleOf(engagementId: string, userId: string): Promise<EngagementRole | null>;
	nameOf(userId: string): Promise<string | null>;
}

async function usableLink(db: Kysely<Database>, token: string): Promise<Result<SponsorLinkRow>> {
	const link = await db.selectFrom('sponsor_links').selectAll().where('id', '=', hashToken(token)).executeTakeFirst();
	if (!link) return fail('not_found', INVALID);
	const state = inviteState(link, Date.now());
	return state === 'usable' ? ok(link) : fail('gone', state === 'used' ? USED : EXPIRED);
}

export async function describeSponsorLink(db: Kysely<Database>, sources: LinkSources, token: string): Promise<Result<{ engagementId: string; title: string; kind: EngagementKind; coachName: string }>> {
	const link = await usableLink(db, token);
	if (!link.ok) return link;
	const [engagement, coachName] = await Promise.all([sources.engagement(link.value.engagement_id), sources.nameOf(link.value.created_by)]);
	if (!engagement) return fail('not_found', INVALID);
	return ok({ engagementId: link.value.engagement_id, title: engagement.title, kind: engagement.kind, coachName: coachName ?? 'Your coach' });
}

export async function acceptSponsorLink(db: Kysely<Database>, sources: LinkSources, token: string, userId: string): Promise<Result<{ engagementId: string }>> {
	const id = hashToken(token);
	const found = await db.selectFrom('sponsor_links').select('engagement_id').where('id', '=', id).executeTakeFirst();
	if (!found) return fail('not_found', INVALID);
	const role = await sources.roleOf(found.engagement_id, userId);
	if (role) return fail('conflict', `You are the ${role} of this engagement; a sponsor link is for the sponsor.`);
	return db.transaction().execute(async (trx) => {
		const link = await trx.selectFrom('sponsor_links').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
		const already = await trx.selectFrom('engagement_sponsors').select('user_id').where('engagement_id', '=', link.engagement_id).where('user_id', '=', userId).executeTakeFirst();
		if (already) return ok({ engagementId: link.engagement_id });
		const now = Date.now();
		const state = inviteState(link, now);
		if (state !== 'usable') return fail('gone', state === 'used' ? USED : EXPIRED);
		// The guarded update keeps the link single use even for two tabs racing.
		const taken = await trx.updateTable('sponsor_links').set({ used_at: now, used_by: userId }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
		if (Number(taken.numUpdatedRows) !== 1) return fail('gone', USED);
		await trx.insertInto('engagement_sponsors').values({ engagement_id: link.engagement_id, user_id: userId, joined_at: now }).execute();
		return ok({ engagementId: link.engagement_id });
	});
}
