/**
 * Times as a reader sees them: in their own IANA time zone, with the zone's
 * name, so a coach in London and a coachee in New York each read their own
 * wall time for the same session. The zone rules come from the runtime's
 * Intl data (maintained with the ICU time-zone database), never from offset
 * arithmetic of ours, so daylight-saving changes are handled by the rules.
 */
import { TZDate } from '@date-fns/tz';
import { z } from 'zod';

export const DEFAULT_TIME_ZONE = 'UTC';

/** True when the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
	if (zone.length === 0 || zone.length > 64) return false;
	try {
		new Intl.DateTimeFormat('en-GB', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

export const timeZoneSchema = z
	.string({ error: 'Choose your time zone.' })
	.trim()
	.refine(isTimeZone, 'Choose a time zone from the list, like Europe/London.');

/** The browser's own zone, or UTC when it gives none the runtime knows. */
export function browserTimeZone(): string {
	const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	return zone && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
}

export type WhenStyle = 'full' | 'date' | 'time';

const styles: Record<WhenStyle, Intl.DateTimeFormatOptions> = {
	full: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
	date: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
	time: { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }
};

/** "New York" for America/New_York: the place a zone is named after. */
export function zonePlace(zone: string): string {
	return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

/**
 * `at` (ms since the epoch) as wall time in `zone`, e.g. "Tue, 1 Dec 2026,
 * 14:00 GMT". Where the language has no abbreviation for the zone and shows
 * an offset ("GMT-4"), the zone's place follows it: "05:00 GMT-4 (New York)".
 */
export function formatWhen(at: number, zone: string, style: WhenStyle = 'full', locale = 'en-GB'): string {
	const timeZone = isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
	const text = new Intl.DateTimeFormat(locale, { ...styles[style], timeZone }).format(new Date(at));
	return style !== 'date' && /GMT[+-]\d/.test(text) ? `${text} (${zonePlace(timeZone)})` : text;
}

/** Every zone the runtime knows, for a picker. */
export function knownTimeZones(): string[] {
	const withValues = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
	const zones = withValues.supportedValuesOf?.('timeZone') ?? [];
	return zones.includes(DEFAULT_TIME_ZONE) ? zones : [DEFAULT_TIME_ZONE, ...zones];
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A wall time typed in a date-time picker ("2026-03-29T10:00") read in `zone`,
 * as an instant, or null when it is not a wall time. The zone's rules come
 * from @date-fns/tz (over Intl): a time that does not exist because the clocks
 * went forward moves forward by the gap; a time that happens twice because
 * they went back is the later one.
 */
export function wallTimeToInstant(local: string, zone: string): number | null {
	const m = WALL_TIME.exec(local.trim());
	if (!m || !isTimeZone(zone)) return null;
	const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
	// 31 February would roll over into March; a picker never sends it, a hand-made post might.
	const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
	const at = new TZDate(year, month - 1, day, hour, minute, second, zone);
	const ms = at.getTime();
	return Number.isFinite(ms) ? ms : null;
}

/** The instant `at` as a picker's wall time ("2026-03-29T10:00") in `zone`. */
export function instantToWallTime(at: number, zone: string): string {
	const d = new TZDate(at, isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
