/**
 * Ranking volunteers for one request: a pure function of the request and the
 * scheme's volunteer profiles, with every point it gives written as a reason
 * the coordinator reads. The coordinator decides; the ranking only orders.
 *
 * Points (WEIGHTS below):
 * - expertise: 3 per area of the scheme's list both name; 1 per word of the
 *   request found in the volunteer's own free words (at most 3);
 * - language: +2 when they share a language the request names, -6 when the
 *   request names languages and they share none;
 * - time zone: up to 3 for the hours their 09:00-18:00 working days overlap
 *   (9 hours = 3 points);
 * - fit: +2 when the volunteer offers the kind asked for (coaching or
 *   mentoring, or both), -4 when they offer only the other;
 * - capacity: 0.5 per free place, at most 1.5 (spreads the load);
 * - feedback: the coachees' mean "was your coach helpful" rating in this
 *   scheme, (mean - 3) x 1.5, shrunk towards 0 for few ratings
 *   (x count / (count + 2)).
 * Never suggested: anyone without a free place (load >= capacity) and anyone
 * in `exclude` (the requester, volunteers who declined this request, one
 * already proposed). Equal scores keep the order the candidates came in.
 */
import type { SchemeKind } from '../../shared/schemes/index.ts';

export const WEIGHTS = {
	area: 3,
	word: 1,
	maxWords: 3,
	sharedLanguage: 2,
	noSharedLanguage: -6,
	timeZoneMax: 3,
	fits: 2,
	misfit: -4,
	perFreePlace: 0.5,
	maxFreePlaces: 3,
	feedback: 1.5,
	feedbackPrior: 2
} as const;

const WORKDAY_START = 9 * 60;
const WORKDAY_END = 18 * 60;

export interface Candidate {
	userId: string;
	kinds: SchemeKind;
	/** Areas from the scheme's controlled list, as the scheme spells them. */
	areas: readonly string[];
	/** The volunteer's own words, lower case (see `wordsOf`). */
	words: ReadonlySet<string>;
	/** Lower case. */
	languages: readonly string[];
	/** Minutes the volunteer's zone is ahead of UTC, now. */
	offsetMinutes: number;
	capacity: number;
	load: number;
	/** Coachees' "was your coach helpful" ratings in this scheme. */
	feedback: { mean: number; count: number } | null;
}

export interface Wanted {
	kind: 'coaching' | 'mentoring';
	areas: readonly string[];
	/** Words of what the requester wants to develop, lower case (see `wordsOf`). */
	words: readonly string[];
	languages: readonly string[];
	offsetMinutes: number;
	exclude: ReadonlySet<string>;
}

export type ReasonKind = 'expertise' | 'words' | 'language' | 'timezone' | 'fit' | 'capacity' | 'feedback';
export interface Reason {
	kind: ReasonKind;
	points: number;
	text: string;
}

export interface Suggestion {
	userId: string;
	score: number;
	free: number;
	reasons: Reason[];
}

const STOP = new Set('a an and are as at be but by for from have how i in into is it my of on or so that the their them they this to was we what when with want would like more better get need'.split(' '));

/** Distinct lower-case words of three letters or more, without the commonest ones. */
export function wordsOf(text: string): string[] {
	const out = new Set<string>();
	for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 3 && !STOP.has(w)) out.add(w);
	return [...out];
}

/** Hours two 09:00-18:00 working days overlap, for zones `a` and `b` minutes ahead of UTC. */
export function workdayOverlapHours(a: number, b: number): number {
	let diff = Math.abs(a - b) % (24 * 60);
	if (diff > 12 * 60) diff = 24 * 60 - diff;
	return Math.max(0, WORKDAY_END - WORKDAY_START - diff) / 60;
}

const offsets = new Map<string, { at: number; minutes: number }>();
const HOUR = 60 * 60_000;

/** Minutes `zone` is ahead of UTC at `at` (from the runtime's zone rules), cached per hour. */
export function zoneOffsetMinutes(zone: string, at = Date.now()): number {
	const hour = Math.floor(at / HOUR);
	const hit = offsets.get(zone);
	if (hit && hit.at === hour) return hit.minutes;
	let minutes = 0;
	try {
		const name = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? '';
		const m = /([+-])(\d{2}):?(\d{2})?/.exec(name);
		if (m) minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
	} catch {
		minutes = 0;
	}
	offsets.set(zone, { at: hour, minutes });
	return minutes;
}

const capitalised = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const round = (n: number) => Math.round(n * 100) / 100;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The points for one candidate; with `reasons`, also what each point is for (only built for those shown). */
function score(w: Wanted, c: Candidate, wantedAreas: ReadonlySet<string>, reasons: Reason[] | null): number {
	let total = 0;
	let shared = 0;
	for (const a of c.areas) if (wantedAreas.has(a)) shared++;
	if (shared) {
		total += shared * WEIGHTS.area;
		reasons?.push({ kind: 'expertise', points: shared * WEIGHTS.area, text: `Expertise in ${c.areas.filter((a) => wantedAreas.has(a)).join(', ')}` });
	}
	let words = 0;
	for (const word of w.words) {
		if (words >= WEIGHTS.maxWords) break;
		if (c.words.has(word)) words++;
	}
	if (words) {
		total += words * WEIGHTS.word;
		reasons?.push({ kind: 'words', points: words * WEIGHTS.word, text: `Their own words match: ${w.words.filter((x) => c.words.has(x)).slice(0, WEIGHTS.maxWords).join(', ')}` });
	}
	if (w.languages.length) {
		let lang: string | undefined;
		for (const l of w.languages) if (c.languages.includes(l)) { lang = l; break; }
		total += lang ? WEIGHTS.sharedLanguage : WEIGHTS.noSharedLanguage;
		reasons?.push(lang ? { kind: 'language', points: WEIGHTS.sharedLanguage, text: `Speaks ${capitalised(lang)}` } : { kind: 'language', points: WEIGHTS.noSharedLanguage, text: `No shared language (speaks ${c.languages.join(', ')})` });
	}
	const hours = workdayOverlapHours(w.offsetMinutes, c.offsetMinutes);
	const tz = round((hours / 9) * WEIGHTS.timeZoneMax);
	total += tz;
	reasons?.push({ kind: 'timezone', points: tz, text: hours >= 9 ? 'Same working hours' : hours > 0 ? `Working days overlap ${round(hours)} h` : 'Working days do not overlap' });
	const fits = c.kinds === 'both' || c.kinds === w.kind;
	total += fits ? WEIGHTS.fits : WEIGHTS.misfit;
	reasons?.push(fits ? { kind: 'fit', points: WEIGHTS.fits, text: `Offers ${w.kind}` } : { kind: 'fit', points: WEIGHTS.misfit, text: `Offers ${c.kinds} only` });
	const free = c.capacity - c.load;
	const places = Math.min(free, WEIGHTS.maxFreePlaces) * WEIGHTS.perFreePlace;
	total += places;
	reasons?.push({ kind: 'capacity', points: places, text: `${free} of ${plural(c.capacity, 'place')} free` });
	if (c.feedback && c.feedback.count > 0) {
		const points = round((c.feedback.mean - 3) * WEIGHTS.feedback * (c.feedback.count / (c.feedback.count + WEIGHTS.feedbackPrior)));
		total += points;
		reasons?.push({ kind: 'feedback', points, text: `Coachees rated them ${round(c.feedback.mean)}/5 (${plural(c.feedback.count, 'placement')})` });
	}
	return round(total);
}

/**
 * The best `limit` volunteers for a request, best first, each with its reasons; never anyone without a free place.
 * Areas are compared as the scheme's list spells them. One pass keeps the best `limit` (scores only); reasons are
 * written for those alone.
 */
export function rank(wanted: Wanted, candidates: readonly Candidate[], limit: number): Suggestion[] {
	if (limit <= 0) return [];
	const wantedAreas = new Set(wanted.areas);
	// Best first; a later candidate must score strictly higher to pass an earlier one (stable ties).
	const best: { score: number; i: number }[] = [];
	for (let i = 0; i < candidates.length; i++) {
		const c = candidates[i]!;
		if (c.capacity - c.load <= 0 || wanted.exclude.has(c.userId)) continue;
		const s = score(wanted, c, wantedAreas, null);
		if (best.length === limit && s <= best[best.length - 1]!.score) continue;
		let at = best.length;
		while (at > 0 && best[at - 1]!.score < s) at--;
		best.splice(at, 0, { score: s, i });
		if (best.length > limit) best.pop();
	}
	return best.map(({ i }) => {
		const c = candidates[i]!;
		const reasons: Reason[] = [];
		const s = score(wanted, c, wantedAreas, reasons);
		return { userId: c.userId, score: s, free: c.capacity - c.load, reasons };
	});
}
