/**
 * Schemas for what people type into forms, shared by the pages (to show the
 * same messages) and the server (which never trusts the page).
 */
import { z } from 'zod';
import { ENGAGEMENT_KINDS } from '../domain.ts';
import type { Failure } from '../result.ts';
import { SESSION_KINDS } from '../sessions.ts';
import { DEFAULT_TIME_ZONE, timeZoneSchema } from '../time.ts';

export { ENGAGEMENT_KINDS };

export const PASSWORD_MIN = 10;
const PASSWORD_MAX = 256;

const email = z
	.string({ error: 'Enter your email address.' })
	.trim()
	.toLowerCase()
	.max(254, 'That email address is too long.')
	.pipe(z.email({ error: 'Enter a valid email address, like sam@example.org.' }));

const password = z
	.string({ error: 'Enter a password.' })
	.min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
	.max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
	.refine((p) => new Set(p).size >= 5, 'Use a less repetitive password.');

/**
 * Text that is one line wherever it goes (a name, a title): control
 * characters, CR/LF and Unicode line or paragraph separators become one
 * space. Calendar invites and mail headers carry these strings, and a line
 * break in them must never become a line of their own.
 */
export function singleLine(text: string): string {
	// eslint-disable-next-line no-control-regex -- removing control characters is the point
	return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

const oneLine = (error: string) => z.string({ error }).transform(singleLine);

const personName = oneLine('Enter your name.').pipe(z.string().min(1, 'Enter your name.').max(100, 'Use at most 100 characters.'));

export const signUpForm = z.object({
	name: personName,
	email,
	password,
	/** Filled by the page from the browser; an account on an unknown zone starts on UTC. */
	timeZone: timeZoneSchema.catch(DEFAULT_TIME_ZONE).default(DEFAULT_TIME_ZONE)
});

export const settingsForm = z.object({ timeZone: timeZoneSchema });
export const signInForm = z.object({
	email,
	password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(PASSWORD_MAX)
});

/** Asking for a password-reset link. */
export const resetRequestForm = z.object({ email });
/** Choosing a new password from a reset link. */
export const newPasswordForm = z.object({ password });

export const FREQUENCIES = ['weekly', 'fortnightly', 'monthly', 'bi-monthly', 'as agreed'] as const;

export const engagementForm = z.object({
	kind: z.enum(ENGAGEMENT_KINDS, { error: 'Choose coaching or mentoring.' }),
	title: oneLine('Give the engagement a title.').pipe(z.string().min(3, 'Give the engagement a title of at least 3 characters.').max(120, 'Use at most 120 characters.')),
	goals: z.string().trim().max(4000, 'Use at most 4,000 characters.').default(''),
	plannedSessions: z.preprocess(
		(v) => (v === '' || v === null || v === undefined ? null : v),
		z.coerce.number({ error: 'Enter a number of sessions.' }).int('Enter a whole number.').min(1, 'At least 1 session.').max(100, 'At most 100 sessions.').nullable()
	),
	frequency: z.preprocess(
		(v) => (v === '' || v === undefined ? null : v),
		z.enum(FREQUENCIES, { error: 'Choose how often you will meet.' }).nullable()
	)
});

export const scheduleSessionForm = z.object({
	kind: z.enum(SESSION_KINDS, { error: 'Choose a coaching session, an introductory meeting or a three-way meeting.' }).default('session'),
	/** An instant in ISO 8601 form; pages convert the local date and time before sending. */
	scheduledAt: z.iso.datetime({ offset: true, error: 'Choose a date and time.' }),
	durationMinutes: z.coerce
		.number({ error: 'Enter a duration in minutes.' })
		.int('Enter whole minutes.')
		.min(15, 'A session lasts at least 15 minutes.')
		.max(480, 'A session lasts at most 8 hours.')
});

const changeReason = z
	.string({ error: 'Say why, for the other side.' })
	.trim()
	.min(3, 'Say why in a few words, for the other side.')
	.max(500, 'Keep the reason to 500 characters.');

/** Moving a session: the new instant (the page sends the wall time; the server reads it in the mover's zone). */
export const rescheduleForm = z.object({
	scheduledAt: z.iso.datetime({ offset: true, error: 'Choose a new date and time.' }),
	reason: changeReason
});

export const cancelSessionForm = z.object({ reason: changeReason });

export type SignUpForm = z.infer<typeof signUpForm>;
export type EngagementForm = z.infer<typeof engagementForm>;
export type ScheduleSessionForm = z.infer<typeof scheduleSessionForm>;

/** A form's validation failure: the first problem as the message, every field's problem in `fields`. */
export function invalidForm(error: z.ZodError): { ok: false; error: Failure } {
	const fields = fieldErrors(error);
	const [field, message] = Object.entries(fields)[0] ?? ['form', 'Check the form and try again.'];
	return { ok: false, error: { code: 'invalid_input', message, field, fields } };
}

/** First message per field, for showing beside each input. */
function fieldErrors(error: z.ZodError): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = String(issue.path[0] ?? 'form');
		out[key] ??= issue.message;
	}
	return out;
}
