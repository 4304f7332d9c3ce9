/**
 * Erasing an engagement's content by agreement: one member proposes, every
 * other member agrees, and the last agreement erases, in the transaction
 * that records it. Nobody can erase alone; nothing is erased twice.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { ErasureState } from '../../shared/yourdata/index.ts';
import { eraseEngagementIn, nothingAfter } from './erase.ts';
import type { AfterCommit } from './registry.ts';

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

export async function activeMembers(db: Kysely<Database>, engagementId: string) {
	return db
		.selectFrom('engagement_members')
		.innerJoin('users', 'users.id', 'engagement_members.user_id')
		.select(['users.id', 'users.name', 'engagement_members.role'])
		.where('engagement_id', '=', engagementId)
		.where('users.erased_at', 'is', null)
		.execute();
}

export async function erasureState(db: Kysely<Database>, engagementId: string, userId: string): Promise<ErasureState | null> {
	const members = await activeMembers(db, engagementId);
	if (!members.some((m) => m.id === userId)) return null;
	const row = await db.selectFrom('engagement_erasures').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
	const agreed = row ? (JSON.parse(row.agreed) as string[]) : [];
	const proposer = row ? members.find((m) => m.id === row.proposed_by) : undefined;
	return {
		proposedBy: row ? { userId: row.proposed_by, name: proposer?.name ?? 'A former participant' } : null,
		proposedAt: row?.proposed_at ?? null,
		agreed,
		waitingFor: row && !row.erased_at ? members.filter((m) => !agreed.includes(m.id)).map((m) => m.name) : [],
		erasedAt: row?.erased_at ?? null,
		youAgreed: agreed.includes(userId)
	};
}

const erasedAlready = (at: number) => fail('gone', `This engagement's content was erased on ${day(at)}; there is nothing left to erase.`);

/** Proposes (no row yet) or agrees (a row waiting); erases when everyone has agreed. Returns what must be done outside the database, if it erased. */
export async function agreeToErase(db: Kysely<Database>, engagementId: string, userId: string, proposing: boolean): Promise<Result<{ erased: boolean; after: AfterCommit }>> {
	return db.transaction().execute(async (trx) => {
		const members = await activeMembers(trx, engagementId);
		if (!members.some((m) => m.id === userId)) return fail('not_found', 'Not found.');
		const row = await trx.selectFrom('engagement_erasures').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
		if (row?.erased_at) return erasedAlready(row.erased_at);
		if (!row && !proposing) return fail('conflict', 'Nobody has proposed erasing this engagement. Propose it first; the others then have to agree.');
		if (row && proposing && row.proposed_by !== userId && !JSON.parse(row.agreed).includes(userId)) return fail('conflict', 'Erasing was proposed already: agree to it instead.');
		const live = await trx.selectFrom('coaching_sessions').select('id').where('engagement_id', '=', engagementId).where('status', '=', 'live').executeTakeFirst();
		if (live) return fail('conflict', 'A session of this engagement is live. Erase its content once it has ended.');
		const agreed = row ? (JSON.parse(row.agreed) as string[]) : [];
		if (agreed.includes(userId)) return fail('conflict', `You agreed already; waiting for ${members.filter((m) => !agreed.includes(m.id)).map((m) => m.name).join(', ')}.`);
		const now = [...agreed, userId];
		if (!row) await trx.insertInto('engagement_erasures').values({ engagement_id: engagementId, proposed_by: userId, proposed_at: Date.now(), agreed: JSON.stringify(now), erased_at: null }).execute();
		else {
			// Two agreements at once: the second sees a changed list and is told to try again.
			const r = await trx.updateTable('engagement_erasures').set({ agreed: JSON.stringify(now) }).where('engagement_id', '=', engagementId).where('agreed', '=', row.agreed).where('erased_at', 'is', null).executeTakeFirst();
			if (Number(r.numUpdatedRows) !== 1) return fail('conflict', 'Someone answered at the same moment; reload the page and try again.');
		}
		const after = nothingAfter();
		if (!members.every((m) => now.includes(m.id))) return ok({ erased: false, after });
		await trx.updateTable('engagement_erasures').set({ erased_at: Date.now() }).where('engagement_id', '=', engagementId).execute();
		await eraseEngagementIn(trx, engagementId, after);
		return ok({ erased: true, after });
	});
}

export async function withdrawErasure(db: Kysely<Database>, engagementId: string, userId: string): Promise<Result<null>> {
	const state = await erasureState(db, engagementId, userId);
	if (!state) return fail('not_found', 'Not found.');
	if (state.erasedAt) return erasedAlready(state.erasedAt);
	if (!state.proposedBy) return fail('conflict', 'Nobody has proposed erasing this engagement.');
	await db.deleteFrom('engagement_erasures').where('engagement_id', '=', engagementId).where('erased_at', 'is', null).execute();
	return ok(null);
}
