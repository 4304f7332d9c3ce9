/**
 * How an action's owner shows in a <select>: "both", "coach", or
 * "coachee:<user id>" for a named coachee (group engagements have several).
 */
import type { Action, ActionOwner, ActionStatus } from '$shared/pad/index.ts';
import type { EngagementRole } from '$shared/domain.ts';

export interface Member {
	userId: string;
	name: string;
	role: EngagementRole;
}

export function ownerValue(a: Pick<Action, 'owner' | 'ownerUserId'>): string {
	if (a.owner === 'coachee' && a.ownerUserId) return `coachee:${a.ownerUserId}`;
	return a.owner === 'coachee' ? 'both' : a.owner;
}

export function parseOwner(value: string): { owner: ActionOwner; ownerUserId: string | null } {
	if (value.startsWith('coachee:')) return { owner: 'coachee', ownerUserId: value.slice('coachee:'.length) };
	return { owner: value === 'coach' ? 'coach' : 'both', ownerUserId: null };
}

export const statusLabel: Record<ActionStatus, string> = { open: 'Open', done: 'Done', dropped: 'Dropped' };
