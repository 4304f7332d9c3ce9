/**
 * The engagement's record across all its summaries, for the closing report:
 * every action with its latest status (a later session's review wins) and
 * the learning points of each session, in one reader's copy (a group's
 * coachee gets only what the contract lets the group share).
 */
import type { EngagementRole } from '../store/index.ts';
import type { ActionStatus } from '../../shared/summary/copy.ts';
import { copyFor, parseContent } from './content.ts';
import { latestSummaries, type ReadDeps } from './reads.ts';

export interface EngagementRecord {
	actions: { id: string; text: string; owner: string; status: ActionStatus; sessionNumber: number }[];
	learningPoints: { sessionNumber: number; text: string }[];
}

export async function acrossEngagement(deps: Pick<ReadDeps, 'db' | 'engagements'>, engagementId: string, role: EngagementRole, readerId: string): Promise<EngagementRecord> {
	// Oldest session first, so later reviews win.
	const latest = (await latestSummaries(deps, engagementId)).sort((a, b) => a.scheduled_at - b.scheduled_at);
	const actions = new Map<string, EngagementRecord['actions'][number]>();
	const learningPoints: EngagementRecord['learningPoints'] = [];
	for (const r of latest) {
		const copy = copyFor(parseContent(r), role, readerId);
		for (const a of copy.shared.actions) actions.set(a.id, { id: a.id, text: a.text, owner: a.owner, status: a.status, sessionNumber: r.number });
		for (const c of copy.shared.carriedOver) {
			const known = actions.get(c.id);
			if (known) known.status = c.status;
		}
		for (const text of copy.shared.learningPoints) learningPoints.push({ sessionNumber: r.number, text });
	}
	return { actions: [...actions.values()], learningPoints };
}
