/**
 * Who is completing a session's ending: the `session_endings` row carries a
 * lease (owner, until), taken with one guarded update, so any instance may
 * complete an ending but only one does at a time; a holder that died lets
 * its lease run out and the next instance takes it.
 */
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database, SessionEndingRow } from '../store/index.ts';

export function endingLeases(db: Kysely<Database>, owner: string) {
	const until = () => Date.now() + limits.clusterJobs.endingLeaseMs;
	return {
		/** The unfinished ending, now held by us; null when it is complete or someone else's lease still holds. */
		async claim(sessionId: string): Promise<SessionEndingRow | null> {
			const now = Date.now();
			const row = await db
				.updateTable('session_endings')
				.set({ lease_owner: owner, lease_until: until() })
				.where('session_id', '=', sessionId)
				.where('completed_at', 'is', null)
				.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
				.returningAll()
				.executeTakeFirst();
			return row ?? null;
		},
		/** Keeps the lease while completing takes its time (reading the pad, rendering). */
		async renew(sessionId: string): Promise<void> {
			await db.updateTable('session_endings').set({ lease_until: until() }).where('session_id', '=', sessionId).where('lease_owner', '=', owner).where('completed_at', 'is', null).execute();
		},
		/** Lets anyone take it at once (completing failed here; the retry may run elsewhere). */
		async release(sessionId: string): Promise<void> {
			await db.updateTable('session_endings').set({ lease_owner: null, lease_until: null }).where('session_id', '=', sessionId).where('lease_owner', '=', owner).execute();
		},
		/** At start: leases of this instance's earlier life (alone: every lease) can be nobody's work any more. */
		async takeBack(alone: boolean): Promise<void> {
			let q = db.updateTable('session_endings').set({ lease_owner: null, lease_until: null }).where('completed_at', 'is', null);
			if (!alone) q = q.where('lease_owner', '=', owner);
			await q.execute();
		}
	};
}

export type EndingLeases = ReturnType<typeof endingLeases>;
