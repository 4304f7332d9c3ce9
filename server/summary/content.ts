/**
 * What a summary says, as data: recorded once when the session ends (and
 * again for each correction), then rendered into the app page, the email and
 * the Markdown file. The coach-only part is a separate branch of the record,
 * so a coachee's copy is made by leaving that branch out, not by filtering
 * text.
 */
import type { EngagementRole, SummaryRow } from '../store/index.ts';
import { sessionName } from '../../shared/sessions.ts';
import type { SummaryHeader, SummaryContent, SummaryCopy } from '../../shared/summary/copy.ts';

export { goalOf } from '../../shared/summary/copy.ts';
export type { SummaryContract, ActionStatus, SummaryAction, CarriedAction, AskedPrompt, SharedContent, CoachOnlyContent, SummaryHeader, SummaryContent, SummaryCopy } from '../../shared/summary/copy.ts';

export function copyFor(content: SummaryContent, role: EngagementRole): SummaryCopy {
	const { coachOnly, ...rest } = content;
	return { ...rest, role, coachOnly: role === 'coach' ? coachOnly : null };
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
