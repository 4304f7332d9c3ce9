/**
 * "From last time": when a session's shared pad is loaded, the open actions
 * of the most recent earlier session that has a pad (its own open actions
 * and the carried-over ones it left open) are copied into this session's
 * `carried` list, marked with the session they came from. Status changes
 * made here are changes to this session's document, so each session
 * records what it decided. Already carried actions are not copied twice.
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { openActionsToCarry, padName, type CarriedAction } from '../../shared/pad/index.ts';
import type { PadStore } from './store/index.ts';

export interface CarryOverDeps {
	db: Kysely<Database>;
	store: Pick<PadStore, 'load' | 'exists'>;
	/** A loaded document, if it is in memory (fresher than the store). */
	loaded(name: string): Y.Doc | undefined;
}

export async function actionsToCarry(sessionId: string, deps: CarryOverDeps): Promise<CarriedAction[]> {
	const session = await deps.db.selectFrom('coaching_sessions').select(['engagement_id', 'number']).where('id', '=', sessionId).executeTakeFirst();
	if (!session) return [];
	const earlier = await deps.db
		.selectFrom('coaching_sessions')
		.select(['id', 'number'])
		.where('engagement_id', '=', session.engagement_id)
		.where('number', '<', session.number)
		.orderBy('number', 'desc')
		.execute();
	for (const prev of earlier) {
		const name = padName(prev.id, 'shared');
		const live = deps.loaded(name);
		if (live) return openActionsToCarry(live, prev.id, prev.number);
		if (!(await deps.store.exists(name))) continue;
		const stored = await deps.store.load(name);
		const doc = new Y.Doc();
		try {
			doc.transact(() => {
				for (const u of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(doc, u);
			});
			return openActionsToCarry(doc, prev.id, prev.number);
		} finally {
			doc.destroy();
		}
	}
	return [];
}
