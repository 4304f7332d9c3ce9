/**
 * Coaching and mentoring schemes, in words both the pages and the server use:
 * what a scheme, a volunteer's profile, a request and an answer to a proposed
 * match look like (zod schemas: the server never trusts the page), and the
 * readiness check the source guide asks for before a coachee is matched.
 */
import { z } from 'zod';
import { FREQUENCIES } from '../forms/index.ts';
import { timeZoneSchema } from '../time.ts';

export const SCHEME_KINDS = ['coaching', 'mentoring', 'both'] as const;
export type SchemeKind = (typeof SCHEME_KINDS)[number];

/** Where a request stands: open in the queue, a match proposed, placed in an engagement, or gone. */
export const REQUEST_STATUSES = ['open', 'proposed', 'placed', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A proposed match: waiting for both answers, placed once both accepted, or closed. */
export const MATCH_STATES = ['proposed', 'placed', 'declined', 'withdrawn', 'ended'] as const;
export type MatchState = (typeof MATCH_STATES)[number];

export const MAX_CAPACITY = 10;

const text = (max: number, message = 'Fill this in.') => z.string({ error: message }).trim().min(1, message).max(max, `Use at most ${max.toLocaleString('en-GB')} characters.`);
const optionalText = (max: number) => z.string().trim().max(max, `Use at most ${max.toLocaleString('en-GB')} characters.`).default('');

/** One value per line (or comma), trimmed, without duplicates or blanks. */
export function listOf(input: string, max: number): string[] {
	const seen = new Map<string, string>();
	for (const raw of input.split(/[\n,]/)) {
		const v = raw.trim().replace(/\s+/g, ' ');
		if (v && !seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
	}
	return [...seen.values()].slice(0, max);
}

/** Checkbox groups arrive as one string or several; always an array here. */
const many = z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().trim().max(80)).max(40));

const kind = z.enum(SCHEME_KINDS, { error: 'Choose coaching, mentoring or both.' });

export const schemeForm = z.object({
	name: text(120, 'Give the scheme a name.'),
	purpose: text(2000, 'Say what the scheme is for.'),
	kinds: kind,
	areas: z
		.string({ error: 'List the areas of expertise the scheme matches on.' })
		.transform((s) => listOf(s, 40))
		.refine((a) => a.length >= 1, 'List at least one area of expertise, one per line.'),
	covers: optionalText(2000),
	excludes: optionalText(2000),
	maxMonths: z.coerce.number({ error: 'Enter a number of months.' }).int('Enter whole months.').min(1, 'At least 1 month.').max(36, 'At most 36 months.'),
	expectedSessions: z.coerce.number({ error: 'Enter a number of sessions.' }).int('Enter a whole number.').min(1, 'At least 1 session.').max(50, 'At most 50 sessions.'),
	frequency: z.enum(FREQUENCIES, { error: 'Choose how often pairs meet.' }),
	sessionMinutes: z.coerce.number({ error: 'Enter minutes.' }).int().min(15, 'At least 15 minutes.').max(240, 'At most 4 hours.')
});
export type SchemeForm = z.infer<typeof schemeForm>;

export const inviteForm = z.object({
	name: text(100, 'Enter their name.'),
	email: z.string().trim().toLowerCase().pipe(z.email({ error: 'Enter a valid email address.' })),
	role: z.enum(['volunteer', 'coordinator'], { error: 'Invite a volunteer or a coordinator.' })
});

export const profileForm = z.object({
	kinds: kind,
	areas: many,
	freeWords: optionalText(500),
	experience: text(2000, 'Describe your coaching or mentoring experience.'),
	qualifications: optionalText(1000),
	languages: z
		.string({ error: 'List the languages you can coach in.' })
		.transform((s) => listOf(s, 10))
		.refine((a) => a.length >= 1, 'List at least one language.'),
	timeZone: timeZoneSchema,
	capacity: z.coerce.number({ error: 'Enter how many at once.' }).int('Enter a whole number.').min(0, 'At least 0 (0 pauses new matches).').max(MAX_CAPACITY, `At most ${MAX_CAPACITY} at once.`),
	availability: optionalText(500)
});
export type ProfileForm = z.infer<typeof profileForm>;

/** How clear a person is about what they want; the readiness check flags the last two. */
export const CLARITY = ['clear', 'rough', 'unsure'] as const;
/** Whether they can commit to the scheme's number and rhythm of sessions, as shown to them. */
export const COMMITMENT = ['yes', 'unsure', 'no'] as const;

export const requestForm = z.object({
	kind: z.enum(['coaching', 'mentoring'], { error: 'Choose coaching or mentoring.' }),
	develop: text(2000, 'Say what you want to develop.'),
	whyNow: text(2000, 'Say why now.'),
	success: optionalText(1000),
	clarity: z.enum(CLARITY, { error: 'Say how clear you are about what you want.' }),
	commitment: z.enum(COMMITMENT, { error: 'Say whether you can commit to the sessions.' }),
	areas: many,
	languages: z.string().default('').transform((s) => listOf(s, 10)),
	timeZone: timeZoneSchema
});
export type RequestForm = z.infer<typeof requestForm>;

export const answerForm = z.object({
	answer: z.enum(['accept', 'decline'], { error: 'Accept or decline.' }),
	reason: optionalText(500)
});

export const rating = z.coerce.number({ error: 'Choose 1 to 5.' }).int().min(1, 'Choose 1 to 5.').max(5, 'Choose 1 to 5.');
export const feedbackForm = z.object({ helpful: rating, learning: rating, gained: rating, comment: optionalText(1000) });

/** The three feedback questions, from the source guide's list. */
export const FEEDBACK_QUESTIONS = {
	helpful: { coachee: 'Was your coach or mentor helpful?', coach: 'Was the match a good fit for you as coach or mentor?' },
	learning: { coachee: 'Did they help your learning?', coach: 'Did the coachee or mentee engage and learn?' },
	gained: { coachee: 'Did you gain what you hoped, and has it shown at work?', coach: 'Did they gain what they hoped, as far as you could tell?' }
} as const;

export interface Readiness {
	/** A clear idea of what they want or need to learn. */
	clearIdea: 'strong' | 'weak';
	/** An informed commitment to the scheme's sessions and rhythm. */
	commitment: 'strong' | 'weak';
	/** What the coordinator may want to talk about before matching. */
	concerns: string[];
}

/** The seed's two questions: do they know what they want, and can they commit to the time? */
export function readinessOf(r: { develop: string; success: string; clarity: (typeof CLARITY)[number]; commitment: (typeof COMMITMENT)[number] }): Readiness {
	const concerns: string[] = [];
	if (r.clarity !== 'clear') concerns.push(r.clarity === 'rough' ? 'Has only a rough idea of what they want.' : 'Is not yet sure what they want.');
	if (r.develop.trim().split(/\s+/).length < 5) concerns.push('Said very little about what they want to develop.');
	if (!r.success.trim()) concerns.push('Did not say what would be different at the end.');
	if (r.commitment !== 'yes') concerns.push(r.commitment === 'no' ? 'Says they cannot commit to the sessions.' : 'Is not sure they can commit to the sessions.');
	const clearWeak = r.clarity !== 'clear' || r.develop.trim().split(/\s+/).length < 5 || !r.success.trim();
	return { clearIdea: clearWeak ? 'weak' : 'strong', commitment: r.commitment === 'yes' ? 'strong' : 'weak', concerns };
}

export const schemeKindWords: Record<SchemeKind, string> = { coaching: 'coaching', mentoring: 'mentoring', both: 'coaching and mentoring' };
