/**
 * The coach's log of hours, built on every read from the sessions actually
 * held: a coaching session counts from the moment its room started (the
 * first member joined, or the coach pressed Start) to the moment it ended,
 * as the engagements feature records them (`started_at`, `ended_at`). The
 * planned length is never used. Introductory and three-way meetings are not
 * coaching of the client and are left out.
 */
import { roundHours, type HeldSession, type HoursLine, type HoursLog } from '../../shared/practice/index.ts';
import type { CoachingSessionRow, PracticeEngagementRow } from '../store/index.ts';

export interface CoachedEngagement {
	id: string;
	title: string;
	createdAt: number;
	coachees: { userId: string; name: string; email: string }[];
}

/** "Client 3": the engagement's place among everything the coach has coached, oldest first, so it never moves. */
export function labelsOf(engagements: Pick<CoachedEngagement, 'id' | 'createdAt'>[]): Map<string, string> {
	const ordered = [...engagements].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return new Map(ordered.map((e, i) => [e.id, `Client ${i + 1}`]));
}

/**
 * A session that ended by itself was ended `emptyRoomMs` after its room
 * emptied (EMPTY_SESSION_END_MINUTES): it counts until the room emptied.
 * (After a restart that timer starts again, so such a session counts until
 * the restart at the latest.)
 */
export function heldSessions(rows: CoachingSessionRow[], endedByThemselves: ReadonlySet<string> = new Set(), emptyRoomMs = 0): HeldSession[] {
	return rows
		.filter((s) => s.kind === 'session' && s.status === 'ended' && s.started_at !== null && s.ended_at !== null && s.ended_at >= s.started_at)
		.map((s) => {
			const endedAt = endedByThemselves.has(s.id) ? Math.max(s.started_at!, s.ended_at! - emptyRoomMs) : s.ended_at!;
			return { sessionId: s.id, number: s.number, startedAt: s.started_at!, endedAt, durationMs: endedAt - s.started_at! };
		})
		.sort((a, b) => a.startedAt - b.startedAt);
}

/** YYYY-MM-DD of an instant on the coach's calendar. */
export function dayIn(at: number, timeZone: string): string {
	const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
	const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return `${part('year')}-${part('month')}-${part('day')}`;
}

export function hoursLine(input: {
	engagement: CoachedEngagement;
	label: string;
	setting: PracticeEngagementRow | undefined;
	sessions: HeldSession[];
	listedByName: boolean;
	timeZone: string;
}): HoursLine {
	const { engagement: e, sessions, setting, listedByName } = input;
	// ICF asks, for a group, for the name and address of one member of it.
	const first = e.coachees[0];
	const heldMs = sessions.reduce((sum, s) => sum + s.durationMs, 0);
	const last = sessions.at(-1);
	return {
		engagementId: e.id,
		title: e.title,
		label: input.label,
		listedByName,
		name: listedByName && first ? first.name : null,
		email: listedByName && first ? first.email : null,
		group: e.coachees.length > 1,
		coachees: e.coachees.length,
		funding: setting?.funding ?? 'paid',
		fundingAssumed: !setting,
		organisation: setting?.organisation ?? '',
		startDate: sessions[0] ? dayIn(sessions[0].startedAt, input.timeZone) : null,
		endDate: last ? dayIn(last.endedAt, input.timeZone) : null,
		sessions,
		hours: roundHours(heldMs)
	};
}

/** Totals from the exact durations, rounded once, so rounding each line cannot drift the sum. */
export function hoursLog(lines: HoursLine[], timeZone: string): HoursLog {
	const ms = (funding: 'paid' | 'pro_bono') =>
		lines.filter((l) => l.funding === funding).reduce((sum, l) => sum + l.sessions.reduce((s, x) => s + x.durationMs, 0), 0);
	return { lines, paidHours: roundHours(ms('paid')), proBonoHours: roundHours(ms('pro_bono')), timeZone };
}
