/**
 * Erasing an engagement's content by agreement: one member proposes, every
 * other member agrees, and the last agreement erases, in the transaction
 * that records it. Nobody can erase alone; nothing is erased twice. This
 * folder owns `engagement_erasures`; who is in the engagement comes from
 * the engagements feature (`People`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { ErasureState } from '../../shared/yourdata/index.ts';
import { eraseEngagementIn, nothingAfter } from './erase.ts';
import { FORMER, type AfterCommit, type ErasedEngagement, type SessionInfo } from './registry.ts';

/** The engagement's people still with an account, and its sessions. */
export interface People {
	engagement: ErasedEngagement;
	members: { userId: string; name: string }[];
	sessions: SessionInfo[];
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

async function rowOf(db: Kysely<Database>, engagementId: string) {
	return db.selectFrom('engagement_erasures').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
}

export async function erasureState(db: Kysely<Database>, people: People, userId: string, engagementId: string): Promise<ErasureState> {
	const row = await rowOf(db, engagementId);
	const agreed = row ? (JSON.parse(row.agreed) as string[]) : [];
	return {
		proposedBy: row ? { userId: row.proposed_by, name: people.members.find((m) => m.userId === row.proposed_by)?.name ?? FORMER } : null,
		proposedAt: row?.proposed_at ?? null,
		agreed,
		waitingFor: row && !row.erased_at ? people.members.filter((m) => !agreed.includes(m.userId)).map((m) => m.name) : [],
		erasedAt: row?.erased_at ?? null,
		youAgreed: agreed.includes(userId)
	};
}

const erasedAlready = (at: number) => fail('gone', `This engagement's content was erased on ${day(at)}; there is nothing left to erase.`);

/** Proposes (no row yet) or agrees (a row waiting); erases when everyone has agreed. Returns what must be done outside the database, if it erased. */
export async function agreeToErase(db: Kysely<Database>, people: People, engagementId: string, userId: string, proposing: boolean): Promise<Result<{ erased: boolean; after: AfterCommit }>> {
	if (people.sessions.some((s) => s.status === 'live')) return fail('conflict', 'A session of this engagement is live. Erase its content once it has ended.');
	return db.transaction().execute(async (trx) => {
		const row = await rowOf(trx, engagementId);
		if (row?.erased_at) return erasedAlready(row.erased_at);
		if (!row && !proposing) return fail('conflict', 'Nobody has proposed erasing this engagement. Propose it first; the others then have to agree.');
		const agreed = row ? (JSON.parse(row.agreed) as string[]) : [];
		if (agreed.includes(userId)) return fail('conflict', `You agreed already; waiting for ${people.members.filter((m) => !agreed.includes(m.userId)).map((m) => m.name).join(', ')}.`);
		if (row && proposing) return fail('conflict', 'Erasing was proposed already: agree to it instead.');
		const now = [...agreed, userId];
		if (!row) await trx.insertInto('engagement_erasures').values({ engagement_id: engagementId, proposed_by: userId, proposed_at: Date.now(), agreed: JSON.stringify(now), erased_at: null }).execute();
		else {
			// Two agreements at once: the second sees a changed list and is told to try again.
			const r = await trx.updateTable('engagement_erasures').set({ agreed: JSON.stringify(now) }).where('engagement_id', '=', engagementId).where('agreed', '=', row.agreed).where('erased_at', 'is', null).executeTakeFirst();
			if (Number(r.numUpdatedRows) !== 1) return fail('conflict', 'Someone answered at the same moment; reload the page and try again.');
		}
		const after = nothingAfter();
		if (!people.members.every((m) => now.includes(m.userId))) return ok({ erased: false, after });
		await trx.updateTable('engagement_erasures').set({ erased_at: Date.now() }).where('engagement_id', '=', engagementId).execute();
		await eraseEngagementIn(trx, people.engagement, people.sessions.map((s) => s.id), after);
		return ok({ erased: true, after });
	});
}

/** An erasure agreed by the last person in the engagement, in the account deletion's transaction. */
export async function recordErasedAlone(trx: Kysely<Database>, engagementId: string, userId: string): Promise<void> {
	const now = Date.now();
	await trx
		.insertInto('engagement_erasures')
		.values({ engagement_id: engagementId, proposed_by: userId, proposed_at: now, agreed: JSON.stringify([userId]), erased_at: now })
		.onConflict((oc) => oc.column('engagement_id').doUpdateSet({ erased_at: now }))
		.execute();
}

export async function withdrawErasure(db: Kysely<Database>, engagementId: string): Promise<Result<null>> {
	const row = await rowOf(db, engagementId);
	if (row?.erased_at) return erasedAlready(row.erased_at);
	if (!row) return fail('conflict', 'Nobody has proposed erasing this engagement.');
	await db.deleteFrom('engagement_erasures').where('engagement_id', '=', engagementId).where('erased_at', 'is', null).execute();
	return ok(null);
}
