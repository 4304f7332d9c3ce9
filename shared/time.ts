/**
 * Times as a reader sees them: in their own IANA time zone, with the zone's
 * name, so a coach in London and a coachee in New York each read their own
 * wall time for the same session. The zone rules come from the runtime's
 * Intl data (maintained with the ICU time-zone database), never from offset
 * arithmetic of ours, so daylight-saving changes are handled by the rules.
 */
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

/** `at` (ms since the epoch) as wall time in `zone`, e.g. "Tue, 1 Dec 2026, 14:00 GMT". */
export function formatWhen(at: number, zone: string, style: WhenStyle = 'full', locale = 'en-GB'): string {
	const timeZone = isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
	return new Intl.DateTimeFormat(locale, { ...styles[style], timeZone }).format(new Date(at));
}

/** Every zone the runtime knows, for a picker. */
export function knownTimeZones(): string[] {
	const withValues = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
	const zones = withValues.supportedValuesOf?.('timeZone') ?? [];
	return zones.includes(DEFAULT_TIME_ZONE) ? zones : [DEFAULT_TIME_ZONE, ...zones];
}
