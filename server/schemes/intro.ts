/**
 * When to suggest the introductory meeting: the first whole hour at least
 * `limits.schemes.introLeadMs` ahead that is a weekday between 09:00 and
 * 17:00 for both people in their own time zones; when their working days
 * never overlap, the first such hour for the coachee.
 */
import { limits } from '../config/index.ts';
import { zoneOffsetMinutes } from './ranking.ts';

const HOUR = 60 * 60_000;

function workingHour(at: number, zone: string): boolean {
	const local = new Date(at + zoneOffsetMinutes(zone, at) * 60_000);
	const day = local.getUTCDay();
	const hour = local.getUTCHours();
	return day >= 1 && day <= 5 && hour >= 9 && hour < 17;
}

export function introductoryTime(now: number, coachZone: string, coacheeZone: string): number {
	const first = Math.ceil((now + limits.schemes.introLeadMs) / HOUR) * HOUR;
	const week = 7 * 24;
	for (let h = 0; h < week; h++) if (workingHour(first + h * HOUR, coachZone) && workingHour(first + h * HOUR, coacheeZone)) return first + h * HOUR;
	for (let h = 0; h < week; h++) if (workingHour(first + h * HOUR, coacheeZone)) return first + h * HOUR;
	return first;
}
