/**
 * "From last time": when a session's shared pad is loaded, the open actions
 * of the most recent earlier session that has a pad (its own open actions
 * and the carried-over ones it left open) are copied into this session's
 * `carried` list, marked with the session they came from. Status changes
 * made here are changes to this session's document, so each session
 * records what it decided. Already carried actions are not copied twice.
 * A three-way meeting (the sponsor joins) never gets any; in a group whose
 * contract does not share actions, each coachee's own stay in their summary.
 */
import * as Y from 'yjs';
import type { Engagements } from '../engagements/index.ts';
import { openActionsToCarry, padName, type CarriedAction } from '../../shared/pad/index.ts';
import type { PadStore } from './store/index.ts';

export interface CarryOverDeps {
	sessions: Pick<Engagements, 'sessionRecord' | 'sessionsOf' | 'groupSharing'>;
	store: Pick<PadStore, 'load' | 'exists'>;
	/** A loaded document, if it is in memory (fresher than the store). */
	loaded(name: string): Y.Doc | undefined;
}

export async function actionsToCarry(sessionId: string, deps: CarryOverDeps): Promise<CarriedAction[]> {
	const session = (await deps.sessions.sessionRecord(sessionId))?.session;
	// A three-way meeting's pad is the sponsor's to see: nothing of the coaching sessions is copied into it.
	if (!session || session.kind === 'three_way') return [];
	const earlier = (await deps.sessions.sessionsOf(session.engagement_id)).filter((s) => s.number < session.number).reverse();
	// A group whose contract keeps each coachee's actions to themselves reviews only the group's (coach's, both) together.
	const sharing = await deps.sessions.groupSharing(session.engagement_id);
	const shareable = (list: CarriedAction[]) => (sharing && !sharing.actions ? list.filter((a) => a.owner !== 'coachee') : list);
	for (const prev of earlier) {
		const name = padName(prev.id, 'shared');
		const live = deps.loaded(name);
		if (live) return shareable(openActionsToCarry(live, prev.id, prev.number));
		if (!(await deps.store.exists(name))) continue;
		const stored = await deps.store.load(name);
		const doc = new Y.Doc();
		try {
			doc.transact(() => {
				for (const u of stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates) Y.applyUpdate(doc, u);
			});
			return shareable(openActionsToCarry(doc, prev.id, prev.number));
		} finally {
			doc.destroy();
		}
	}
	return [];
}
