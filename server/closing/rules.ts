/**
 * Who may close an engagement, and how: the coach closes it, or either side
 * proposes closing and the other agrees. Pure, so it is easy to read and test.
 */
import type { EngagementRole } from '../../shared/domain.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { EngagementClosingRow } from '../store/index.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function alreadyClosed(row: Pick<EngagementClosingRow, 'state' | 'closed_at'> | null): Result<true> {
	if (row?.state === 'closed') return fail('conflict', `This engagement is already closed (on ${day(row.closed_at ?? 0)}); it cannot be closed again.`);
	return ok(true);
}

export function closeStep(role: EngagementRole, mode: 'close' | 'propose', row: Pick<EngagementClosingRow, 'state' | 'closed_at' | 'proposed_by'> | null, sessionLive: boolean): Result<'close' | 'propose'> {
	const closed = alreadyClosed(row);
	if (!closed.ok) return closed;
	if (sessionLive) return fail('conflict', 'A session is live right now; close the engagement once it has ended.');
	if (mode === 'close') {
		if (role !== 'coach') return fail('forbidden', 'Only the coach closes an engagement; propose closing instead, and your coach agrees.');
		return ok('close');
	}
	if (row?.state === 'proposed') return fail('conflict', 'Closing is already proposed; agree to it or decline it.');
	return ok('propose');
}

/** Agreeing to (or declining) a proposal: only someone on the other side of it. */
export function answerAllowed(role: EngagementRole, row: Pick<EngagementClosingRow, 'state' | 'closed_at' | 'proposed_by'> | null, proposerRole: EngagementRole | null, userId: string): Result<true> {
	const closed = alreadyClosed(row);
	if (!closed.ok) return closed;
	if (!row || row.state !== 'proposed') return fail('conflict', 'Nobody has proposed closing this engagement.');
	if (row.proposed_by === userId || proposerRole === role) return fail('forbidden', 'The other side agrees to a proposal to close: your proposal waits for their answer.');
	return ok(true);
}

/** The follow-up instant: the same day of the month `months` later (the month's last day when shorter). */
export function followUpAt(closedAt: number, months: number): number | null {
	if (months <= 0) return null;
	const d = new Date(closedAt);
	const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes()));
	const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
	target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
	return target.getTime();
}
