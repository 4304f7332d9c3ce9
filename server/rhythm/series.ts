/**
 * "Schedule the series": from the contract's rhythm, the dates the sessions
 * left would fall on, at the same wall time in the coach's zone (so 09:30 in
 * London stays 09:30 across the clock change), skipping the dates the coach
 * marks unavailable, and never more than the contract has left. Pure: the
 * zone rules come from @date-fns/tz (the runtime's IANA data); calendar
 * dates are stepped as dates, never as fixed numbers of milliseconds.
 */
import { TZDate } from '@date-fns/tz';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { EngagementFrequency } from '../../shared/contract/plan.ts';
import type { ProposedSession, SeriesProposal } from '../../shared/rhythm/index.ts';

export type { ProposedSession, SeriesProposal };

export interface SeriesPlan {
	frequency: EngagementFrequency;
	/** The contract's dates, YYYY-MM-DD. */
	startDate: string;
	endDate: string;
	/** Contracted sessions not yet scheduled or held. */
	sessionsLeft: number;
	/** Wall time of each session, HH:MM, in `zone`. */
	time: string;
	zone: string;
	/** The first date to propose (YYYY-MM-DD); defaults to the contract's start. */
	from?: string | undefined;
	/** Dates the coach cannot do (YYYY-MM-DD). */
	unavailable?: readonly string[];
	/** Nothing before this instant. */
	now: number;
	/** Cap on dates proposed at once. */
	max?: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Calendar-date arithmetic on YYYY-MM-DD, done on UTC dates (no zone is involved in a date). */
function parts(date: string): [number, number, number] {
	const m = DATE.exec(date);
	if (!m) throw new Error(`not a date: ${date}`);
	return [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
}
const format = (d: Date) => d.toISOString().slice(0, 10);
export function addDays(date: string, days: number): string {
	const [y, m, d] = parts(date);
	return format(new Date(Date.UTC(y, m, d + days)));
}
/** Months later, on the same day of the month or the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
	const [y, m, d] = parts(date);
	const last = new Date(Date.UTC(y, m + months + 1, 0)).getUTCDate();
	return format(new Date(Date.UTC(y, m + months, Math.min(d, last))));
}

/** The k-th date of the rhythm from `first` (stepping from the first date keeps month ends stable). */
export function rhythmDate(first: string, frequency: Exclude<EngagementFrequency, 'as agreed'>, k: number): string {
	switch (frequency) {
		case 'weekly':
			return addDays(first, 7 * k);
		case 'fortnightly':
			return addDays(first, 14 * k);
		case 'monthly':
			return addMonths(first, k);
		case 'bi-monthly':
			return addMonths(first, 2 * k);
	}
}

/** The instant of a wall date and time in a zone (a time skipped by a clock change moves forward with it). */
export function wallTime(date: string, time: string, zone: string): number {
	const [y, m, d] = parts(date);
	const t = TIME.exec(time);
	if (!t) throw new Error(`not a time: ${time}`);
	return TZDate.tz(zone, y, m, d, Number(t[1]), Number(t[2])).getTime();
}

/** The wall date and time of an instant in a zone, as YYYY-MM-DD and HH:MM (for inputs). */
export function wallOf(at: number, zone: string): { date: string; time: string } {
	const z = new TZDate(at, zone);
	const pad = (n: number) => String(n).padStart(2, '0');
	return { date: `${z.getFullYear()}-${pad(z.getMonth() + 1)}-${pad(z.getDate())}`, time: `${pad(z.getHours())}:${pad(z.getMinutes())}` };
}

/** The gap a frequency agrees, as the date `from` plus one step (for "next due"). */
export function nextDueDate(lastDate: string, frequency: EngagementFrequency): string | null {
	return frequency === 'as agreed' ? null : rhythmDate(lastDate, frequency, 1);
}

export function proposeSeries(plan: SeriesPlan): Result<SeriesProposal> {
	if (plan.frequency === 'as agreed') {
		return fail('invalid_input', 'The contract agrees times as you go, so there is no rhythm to follow: schedule each session on its own.', 'frequency');
	}
	if (!TIME.test(plan.time)) return fail('invalid_input', 'Choose a time of day, like 09:30.', 'time');
	if (plan.sessionsLeft <= 0) {
		return fail('conflict', 'Every session of the contract in force is already scheduled or held. Amend the contract to add more.', 'sessions');
	}
	const unavailable = new Set(plan.unavailable ?? []);
	const wanted = Math.min(plan.sessionsLeft, plan.max ?? plan.sessionsLeft);
	const today = wallOf(plan.now, plan.zone).date;
	const first = [plan.startDate, plan.from ?? plan.startDate].sort().at(-1)!;
	const sessions: ProposedSession[] = [];
	const skipped: string[] = [];
	for (let k = 0; sessions.length < wanted; k++) {
		const date = rhythmDate(first, plan.frequency, k);
		if (date > plan.endDate) break;
		if (date < today) continue;
		const at = wallTime(date, plan.time, plan.zone);
		if (at <= plan.now) continue;
		if (unavailable.has(date)) {
			skipped.push(date);
			continue;
		}
		sessions.push({ date, time: wallOf(at, plan.zone).time, at });
	}
	const missing = plan.sessionsLeft - sessions.length;
	const shortBy =
		missing <= 0
			? null
			: sessions.length === wanted
				? { count: missing, reason: `At most ${wanted} dates are proposed at once; schedule the rest later.` }
				: { count: missing, reason: `Only ${sessions.length} of the ${plan.sessionsLeft} sessions left fit before the contract ends on ${plan.endDate}. Amend the contract's end date or meet more often.` };
	return ok({ sessions, skipped, shortBy });
}
