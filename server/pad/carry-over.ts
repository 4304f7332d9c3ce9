/**
 * "From last time": when a session's shared pad is loaded, the open actions
 * of the most recent earlier session that has a pad (its own open actions
 * and the carried-over ones it left open) are copied into this session's
 * `carried` list, marked with the session they came from. Status changes
 * made here are changes to this session's document, so each session
 * records what it decided. Already carried actions are not copied twice.
 *
 * Updates the owner made between sessions (on the engagement page, stored
 * by the rhythm feature) are merged in: the latest one after that session
 * sets the action's status and brings its comment.
 *
 * A three-way meeting (the sponsor joins) never gets any; in a group whose
 * contract does not share actions, each coachee's own stay in their summary.
 */
import * as Y from 'yjs';
import type { Engagements } from '../engagements/index.ts';
import { openActionsToCarry, padName, type CarriedAction } from '../../shared/pad/index.ts';
import type { CoachingSessionRow } from '../store/index.ts';
import type { PadStore } from './store/index.ts';

/** An update made between sessions, as the pad merges it. */
export interface BetweenUpdate {
	actionId: string;
	status: 'open' | 'done' | 'dropped';
	comment: string;
	userId: string;
	createdAt: number;
}

export interface CarryOverDeps {
	sessions: Pick<Engagements, 'sessionRecord' | 'sessionsOf' | 'groupSharing'>;
	store: Pick<PadStore, 'load' | 'exists'>;
	/** A loaded document, if it is in memory (fresher than the store). */
	loaded(name: string): Y.Doc | undefined;
	/** Updates made between sessions, oldest first. */
	betweenUpdates?: (engagementId: string) => Promise<BetweenUpdate[]>;
}

async function readOpen(prev: CoachingSessionRow, deps: CarryOverDeps): Promise<CarriedAction[] | null> {
	const name = padName(prev.id, 'shared');
	const live = deps.loaded(name);
	if (live) return openActionsToCarry(live, prev.id, prev.number);
	if (!(await deps.store.exists(name))) return null;
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

/** The latest update after `since` per action, applied to the actions it concerns. */
export function mergeBetween(actions: CarriedAction[], updates: BetweenUpdate[], since: number): CarriedAction[] {
	const latest = new Map<string, BetweenUpdate>();
	for (const u of updates) if (u.createdAt >= since) latest.set(u.actionId, u);
	return actions.map((a) => {
		const u = latest.get(a.id);
		return u ? { ...a, status: u.status, statusChangedBy: u.userId, statusChangedAt: u.createdAt, betweenComment: u.comment || null, betweenBy: u.userId, betweenAt: u.createdAt } : a;
	});
}

/**
 * Open actions of the latest session numbered below `beforeNumber` that has a
 * pad, with the updates made since. `heldOnly` (the engagement page, between
 * sessions) reads ended sessions only: a next session's room opened early is
 * live but has decided nothing yet, so the actions stay those of the last
 * session held, updates included (and an open pad takes those updates too:
 * PadRegistry.refreshCarried).
 */
export async function openActionsBefore(engagementId: string, beforeNumber: number, deps: CarryOverDeps, heldOnly = false): Promise<CarriedAction[]> {
	const earlier = (await deps.sessions.sessionsOf(engagementId)).filter((s) => s.kind !== 'three_way' && s.number < beforeNumber && (!heldOnly || s.status === 'ended')).reverse();
	for (const prev of earlier) {
		const open = await readOpen(prev, deps);
		if (!open) continue;
		const updates = deps.betweenUpdates ? await deps.betweenUpdates(engagementId) : [];
		return mergeBetween(open, updates, prev.started_at ?? prev.scheduled_at);
	}
	return [];
}

export async function actionsToCarry(sessionId: string, deps: CarryOverDeps): Promise<CarriedAction[]> {
	const session = (await deps.sessions.sessionRecord(sessionId))?.session;
	// A three-way meeting's pad is the sponsor's to see: nothing of the coaching sessions is copied into it.
	if (!session || session.kind === 'three_way') return [];
	const carried = await openActionsBefore(session.engagement_id, session.number, deps);
	// A group whose contract keeps each coachee's actions to themselves reviews only the group's (coach's, both) together.
	const sharing = await deps.sessions.groupSharing(session.engagement_id);
	return sharing && !sharing.actions ? carried.filter((a) => a.owner !== 'coachee') : carried;
}
