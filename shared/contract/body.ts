/**
 * What a coaching (or mentoring) contract says, as structured sections: the
 * goals (each SMART), the boundaries, confidentiality, the plan, what each
 * side expects of the other, and who the stakeholders are. The same schema
 * checks the coach's form in the browser and every save on the server.
 * Messages name the missing part of a goal, because "SMART" alone does not
 * tell anyone what to fix.
 */
import { z } from 'zod';
import { ENGAGEMENT_FREQUENCIES } from './plan.ts';

export const LIMITS = {
	goals: 12,
	shortText: 300,
	longText: 4_000,
	listItems: 20,
	sessions: 100
} as const;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

const text = (what: string, max: number = LIMITS.longText) =>
	z.string({ error: `Write ${what}.` }).trim().max(max, `Use at most ${max.toLocaleString('en-GB')} characters for ${what}.`);

const required = (what: string, max: number = LIMITS.longText) => text(what, max).min(1, `Write ${what}.`);

const calendarDate = (what: string) =>
	z
		.string({ error: `Choose ${what}.` })
		.regex(isoDate, `Choose ${what}.`)
		.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), `Choose ${what} that exists on the calendar.`);

/** One goal, SMART: specific (the statement), measurable, achievable and relevant (why it matters), time-bound (the date). */
export const goal = z.object({
	id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'A goal needs an id.'),
	statement: required('what the goal is (specific)', LIMITS.shortText),
	measure: required('how you will measure it (measurable)', LIMITS.shortText),
	whyItMatters: required('why it matters now (relevant and achievable)', LIMITS.shortText),
	targetDate: calendarDate('a target date (time-bound)')
});

const expectationList = (who: string) =>
	z
		.array(required(`each expectation of the ${who}`, LIMITS.shortText))
		.min(1, `List at least one expectation of the ${who}.`)
		.max(LIMITS.listItems, `List at most ${LIMITS.listItems} expectations of the ${who}.`);

export const sponsor = z.object({
	name: required("the sponsor's name", 100),
	organisation: text("the sponsor's organisation", 120).default(''),
	email: z.string().trim().toLowerCase().max(254).pipe(z.email({ error: "Enter the sponsor's email address, like sam@example.org." })).or(z.literal('')).default(''),
	pays: z.boolean({ error: 'Say whether the sponsor pays for the coaching.' })
});

/**
 * Group coaching: what the coachees agree may be shared among them beyond the
 * live session (the seed's "ask what can be shared"): whether records name
 * the other coachees, whether each one's actions and learning points are
 * visible to the others. Ignored when there is one coachee.
 */
export const groupSharing = z.object({
	names: z.boolean({ error: 'Say whether the group sees each other’s names.' }),
	actions: z.boolean({ error: 'Say whether the group sees each other’s actions.' }),
	learningPoints: z.boolean({ error: 'Say whether the group sees each other’s learning points.' })
});
export type GroupSharing = z.infer<typeof groupSharing>;

/** What contracts agreed before this choice existed keep: everything shared, as the app then did. */
export const SHARED_AS_BEFORE: GroupSharing = { names: true, actions: true, learningPoints: true };

/** A body's group sharing, for bodies stored before the section existed too. */
export const sharingOf = (body: { sharing?: GroupSharing }): GroupSharing => body.sharing ?? SHARED_AS_BEFORE;

/**
 * The coach's coaching log (the hours a credentialing body such as ICF asks
 * for): may the coach list the coachee there by name and email? Credentialing
 * bodies ask for the client's consent to be listed; it is recorded here, in
 * the contract the coachee accepts. Without it the log shows a label
 * ("Client 3") and never the name or the address.
 */
export const coachingLog = z.object({
	listByName: z.boolean({ error: 'Say whether the coach may list the coachee by name in their coaching log.' })
});
export type CoachingLogConsent = z.infer<typeof coachingLog>;

/** What contracts agreed before this choice existed mean: no consent, so a label only. */
export const NOT_LISTED: CoachingLogConsent = { listByName: false };

/** A body's coaching-log consent, for bodies stored before the section existed too. */
export const coachingLogOf = (body: { coachingLog?: CoachingLogConsent }): CoachingLogConsent => body.coachingLog ?? NOT_LISTED;

/** The sections' fields; `contractBody` adds the rules that span sections. */
export const contractFields = z.object({
	goals: z.array(goal).min(1, 'Add at least one goal.').max(LIMITS.goals, `Keep to at most ${LIMITS.goals} goals.`),
	boundaries: z.object({
		workTopics: required('which work topics are in scope'),
		nonWorkTopics: required('which non-work topics are in or out of scope'),
		notTherapy: required('that coaching is not therapy or counselling'),
		outsideRemit: required('what happens when an issue is outside the remit'),
		responsibility: required('what the coach is and is not responsible for')
	}),
	confidentiality: z.object({
		betweenUs: required('what stays between coach and coachee'),
		legalLimits: required('the legal limits of confidentiality'),
		sponsorSees: required('exactly what the sponsor will see')
	}),
	plan: z.object({
		sessions: z.coerce
			.number({ error: 'Enter the number of sessions.' })
			.int('Enter a whole number of sessions.')
			.min(1, 'Plan at least 1 session.')
			.max(LIMITS.sessions, `Plan at most ${LIMITS.sessions} sessions.`),
		frequency: z.enum(ENGAGEMENT_FREQUENCIES, { error: 'Choose how often you will meet.' }),
		sessionMinutes: z.coerce
			.number({ error: 'Enter how long a session lasts.' })
			.int('Enter whole minutes.')
			.min(15, 'A session lasts at least 15 minutes.')
			.max(480, 'A session lasts at most 8 hours.'),
		startDate: calendarDate('a start date'),
		endDate: calendarDate('an end date'),
		exercises: text('the exercises between sessions').default(''),
		changes: required('how to cancel or move a session'),
		noticeHours: z.coerce
			.number({ error: 'Enter the notice needed, in hours.' })
			.int('Enter whole hours.')
			.min(0, 'Notice cannot be negative.')
			.max(24 * 30, 'Ask for at most 30 days of notice.')
	}),
	expectations: z.object({ coachee: expectationList('coachee'), coach: expectationList('coach') }),
	stakeholders: z.object({ sponsor: sponsor.nullable().default(null) }),
	sharing: groupSharing.default(SHARED_AS_BEFORE),
	coachingLog: coachingLog.default(NOT_LISTED)
});

export const contractBody = contractFields.superRefine((body, ctx) => {
	if (body.plan.endDate < body.plan.startDate) {
		ctx.addIssue({ code: 'custom', path: ['plan', 'endDate'], message: 'The end date must not be before the start date.' });
	}
	body.goals.forEach((g, i) => {
		if (g.targetDate < body.plan.startDate) {
			ctx.addIssue({ code: 'custom', path: ['goals', i, 'targetDate'], message: 'A goal cannot be due before the coaching starts.' });
		}
	});
	const ids = new Set<string>();
	body.goals.forEach((g, i) => {
		if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: ['goals', i, 'id'], message: 'Two goals share an id.' });
		ids.add(g.id);
	});
});

export type ContractGoal = z.infer<typeof goal>;
export type ContractBody = z.infer<typeof contractBody>;
export type ContractSponsor = z.infer<typeof sponsor>;

/** Every field's first problem, keyed by its path (`goals.1.measure`), for showing beside each input. */
export function contractProblems(error: z.ZodError): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = issue.path.map(String).join('.') || 'form';
		out[key] ??= issue.message;
	}
	return out;
}

/** Which SMART parts a goal still lacks, in words, for the goal's own hint line. */
export function missingSmartParts(g: Partial<Record<keyof ContractGoal, unknown>>): string[] {
	const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
	const missing: string[] = [];
	if (blank(g.statement)) missing.push('specific: what the goal is');
	if (blank(g.measure)) missing.push('measurable: how you will know');
	if (blank(g.whyItMatters)) missing.push('relevant: why it matters');
	if (blank(g.targetDate)) missing.push('time-bound: a target date');
	return missing;
}
