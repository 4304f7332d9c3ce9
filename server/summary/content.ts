/**
 * What a summary says, as data: recorded once when the session ends (and
 * again for each correction), then rendered into the app page, the email and
 * the Markdown file. The coach-only part is a separate branch of the record,
 * so a coachee's copy is made by leaving that branch out, not by filtering
 * text.
 */
import type { EngagementRole, SummaryRow } from '../store/index.ts';
import { sessionName } from '../../shared/sessions.ts';
import type { SummaryAction, SummaryHeader, SummaryContent, SummaryCopy } from '../../shared/summary/copy.ts';
import type { GroupSharing } from '../../shared/contract/body.ts';

export { goalOf } from '../../shared/summary/copy.ts';
export type { SummaryContract, ActionStatus, SummaryAction, CarriedAction, AskedPrompt, SharedContent, CoachOnlyContent, SummaryHeader, SummaryContent, SummaryCopy } from '../../shared/summary/copy.ts';

export function copyFor(content: SummaryContent, role: EngagementRole, readerId?: string): SummaryCopy {
	const { coachOnly, ...rest } = content;
	const copy: SummaryCopy = { ...rest, role, coachOnly: role === 'coach' ? coachOnly : null };
	return role === 'coach' || !content.sharing ? copy : groupCopy(copy, content.sharing, readerId);
}

export const GROUP_MEMBER = 'A group member';

/**
 * A group coachee's copy, holding back what the contract does not let the
 * group share of each other: the other coachees' actions, learning points
 * and names. Without a reader (the copy a three-way meeting's sponsor gets)
 * only what belongs to the whole group is left.
 */
function groupCopy(copy: SummaryCopy, sharing: GroupSharing, readerId: string | undefined): SummaryCopy {
	const coachIds = new Set(copy.participants.filter((p) => p.role === 'coach').map((p) => p.userId));
	const others = new Map(copy.participants.filter((p) => p.role === 'coachee' && p.userId !== readerId).map((p) => [p.userId, p.name]));
	const othersAction = (a: SummaryAction) => a.ownerKind === 'coachee' && a.ownerUserId !== readerId;
	const named = <A extends SummaryAction>(a: A): A => (!sharing.names && othersAction(a) ? { ...a, owner: GROUP_MEMBER } : a);
	const visible = <A extends SummaryAction>(list: A[]) => (sharing.actions ? list : list.filter((a) => !othersAction(a))).map(named);
	const authors = copy.shared.learningAuthors;
	const learning = copy.shared.learningPoints
		.map((text, i) => ({ text, by: authors?.[i] }))
		.filter((l) => sharing.learningPoints || (l.by !== undefined && (l.by === readerId || coachIds.has(l.by))));
	return {
		...copy,
		participants: sharing.names ? copy.participants : copy.participants.map((p) => (others.has(p.userId) ? { ...p, userId: '', name: GROUP_MEMBER } : p)),
		shared: {
			...copy.shared,
			actions: visible(copy.shared.actions),
			carriedOver: visible(copy.shared.carriedOver),
			learningPoints: learning.map((l) => l.text),
			learningAuthors: learning.map((l) => l.by ?? '')
		}
	};
}

/** Minutes the session actually ran, rounded, at least 1 when it ran at all. */
export function actualMinutes(h: SummaryHeader): number | null {
	if (h.session.startedAt === null) return null;
	return Math.max(1, Math.round((h.session.endedAt - h.session.startedAt) / 60_000));
}

export function sessionTitle(h: SummaryHeader): string {
	return `${h.engagement.title} · ${sessionName(h.session, h.engagement.plannedSessions)}`;
}

/** A role in the engagement's words (mentor, mentee…); render.ts and the page use the same words. */
export { roleWord as roleName } from '../../shared/domain.ts';

/** The stored record's content. */
export function parseContent(row: Pick<SummaryRow, 'content'>): SummaryContent {
	return JSON.parse(row.content) as SummaryContent;
}
