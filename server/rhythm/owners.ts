/** Who owns an action, as people: who may update it between sessions and who is told when it falls due. */
import type { Action } from '../../shared/pad/index.ts';
import type { EngagementRole } from '../store/index.ts';

interface Person {
	userId: string;
	role: EngagementRole;
}

export function ownersOf<P extends Person>(action: Pick<Action, 'owner' | 'ownerUserId'>, members: P[]): P[] {
	if (action.owner === 'both') return members;
	if (action.owner === 'coach') return members.filter((m) => m.role === 'coach');
	const named = action.ownerUserId ? members.filter((m) => m.userId === action.ownerUserId) : [];
	return named.length > 0 ? named : members.filter((m) => m.role === 'coachee');
}

export function canUpdate(action: Pick<Action, 'owner' | 'ownerUserId'>, userId: string, role: EngagementRole, members: Person[]): boolean {
	const owners = ownersOf(action, members.length > 0 ? members : [{ userId, role }]);
	return owners.some((o) => o.userId === userId);
}
