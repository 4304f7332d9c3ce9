/** Pure rules of the rhythm: at a glance, the nudge, overdue actions. */
import type { EngagementFrequency } from '../../shared/contract/plan.ts';
import { nextDueDate, wallOf } from './series.ts';
import type { RhythmAtAGlance } from '../../shared/rhythm/index.ts';
import type { SessionStatus } from '../../shared/domain.ts';
import type { SessionKind } from '../../shared/sessions.ts';

export type { RhythmAtAGlance };

export interface RhythmSession {
	id: string;
	kind: SessionKind;
	scheduledAt: number;
	status: SessionStatus;
	endedAt: number | null;
}

export function rhythmAtAGlance(sessions: RhythmSession[], plan: { planned: number | null; frequency: EngagementFrequency | null }, now: number, zone: string): RhythmAtAGlance {
	const contracted = sessions.filter((s) => s.kind === 'session');
	const held = contracted.filter((s) => s.status === 'ended');
	const booked = sessions.filter((s) => (s.status === 'scheduled' || s.status === 'live') && s.scheduledAt + 24 * 60 * 60_000 > now).sort((a, b) => a.scheduledAt - b.scheduledAt);
	const last = held.reduce<RhythmSession | null>((m, s) => (!m || s.scheduledAt > m.scheduledAt ? s : m), null);
	const nextDue = last && plan.frequency ? nextDueDate(wallOf(last.scheduledAt, zone).date, plan.frequency) : null;
	const today = wallOf(now, zone).date;
	const allHeld = plan.planned !== null && held.length >= plan.planned;
	return {
		planned: plan.planned,
		held: held.length,
		booked: booked.length,
		nextBooked: booked[0]?.scheduledAt ?? null,
		nextDue,
		behind: booked.length === 0 && nextDue !== null && today > nextDue && !allHeld,
		frequency: plan.frequency
	};
}

/** An open action whose due date has passed in the reader's zone. */
export function isOverdue(action: { due: string | null; status: string }, now: number, zone: string): boolean {
	return action.status === 'open' && action.due !== null && action.due < wallOf(now, zone).date;
}

/** Due today or earlier and still open: the owner gets the due-date email. */
export function isDue(action: { due: string | null; status: string }, now: number, zone: string): boolean {
	return action.status === 'open' && action.due !== null && action.due <= wallOf(now, zone).date;
}
