/**
 * What a coach and a prospect type into scoping's forms, checked by the same
 * schemas in the page and on the server: the proposal, the prospect's
 * answers (flat form fields `q.<id>`, `own.<n>`, `sponsor*`), and the coach's
 * decision (take it on, or decline with a courteous email).
 */
import { z } from 'zod';
import { ENGAGEMENT_KINDS } from '../domain.ts';
import { engagementForm } from '../forms/index.ts';
import { SCOPING_QUESTION_IDS, scopingQuestions, type ScopingQuestionId } from './questions.ts';

export const SCOPING_LIMITS = { answerChars: 2_000, coachQuestions: 5, questionChars: 300, declineChars: 4_000, requestChars: 4_000, noteChars: 2_000 } as const;

const optionalEmail = (who: string) =>
	z
		.string()
		.trim()
		.toLowerCase()
		.max(254, 'That email address is too long.')
		.pipe(z.email({ error: `Enter ${who} email address, like sam@example.org, or leave it empty.` }))
		.or(z.literal(''))
		.default('');

const optionalName = z.string().trim().max(100, 'Use at most 100 characters.').default('');

export const proposalForm = z
	.object({
		kind: z.enum(ENGAGEMENT_KINDS, { error: 'Choose coaching or mentoring.' }),
		title: z.string({ error: 'Give the proposal a title.' }).trim().min(3, 'Give the proposal a title of at least 3 characters.').max(120, 'Use at most 120 characters.'),
		request: z.string({ error: 'Write what is asked for.' }).trim().min(1, 'Write what is asked for, in a sentence or two.').max(SCOPING_LIMITS.requestChars, `Use at most ${SCOPING_LIMITS.requestChars.toLocaleString('en-GB')} characters.`),
		prospectName: optionalName,
		prospectEmail: optionalEmail("the prospective coachee's"),
		sponsorName: optionalName,
		sponsorEmail: optionalEmail("the sponsor's"),
		/** One question per line. */
		coachQuestions: z
			.string()
			.default('')
			.transform((s) => s.split('\n').map((l) => l.trim()).filter(Boolean))
			.pipe(
				z
					.array(z.string().max(SCOPING_LIMITS.questionChars, `Keep each question under ${SCOPING_LIMITS.questionChars} characters.`))
					.max(SCOPING_LIMITS.coachQuestions, `Ask at most ${SCOPING_LIMITS.coachQuestions} questions of your own.`)
			)
	})
	.superRefine((p, ctx) => {
		if (!p.prospectEmail && !p.sponsorEmail) ctx.addIssue({ code: 'custom', path: ['prospectEmail'], message: 'Give the email address of the prospective coachee, of the sponsor, or of both.' });
		if (p.prospectEmail && !p.prospectName) ctx.addIssue({ code: 'custom', path: ['prospectName'], message: "Enter the prospective coachee's name." });
		if (p.sponsorEmail && !p.sponsorName) ctx.addIssue({ code: 'custom', path: ['sponsorName'], message: "Enter the sponsor's name." });
	});
export type ProposalForm = z.infer<typeof proposalForm>;

const answer = (required: boolean) => {
	const s = z.string().trim().max(SCOPING_LIMITS.answerChars, `Keep each answer under ${SCOPING_LIMITS.answerChars.toLocaleString('en-GB')} characters.`);
	return required ? s.min(1, 'Please answer this question.') : s.default('');
};

export const RESPONDENT_ROLES = ['coachee', 'sponsor', 'other'] as const;

export type ScopingAnswers = {
	respondentName: string;
	respondentRole: (typeof RESPONDENT_ROLES)[number];
	answers: Record<ScopingQuestionId, string>;
	own: { question: string; answer: string }[];
	sponsor: { name: string; organisation: string; email: string; pays: 'yes' | 'no' | '' };
};

/** The answers schema for one proposal: the standard questions and the coach's own (answered in order). */
export function scopingAnswersForm(coachQuestions: readonly string[]) {
	const answers = z.object(Object.fromEntries(scopingQuestions('coaching').map((q) => [q.id, answer(q.required)])) as unknown as Record<ScopingQuestionId, z.ZodType<string>>);
	return z.object({
		respondentName: z.string({ error: 'Enter your name.' }).trim().min(1, 'Enter your name.').max(100, 'Use at most 100 characters.'),
		respondentRole: z.enum(RESPONDENT_ROLES, { error: 'Say who you are in this request.' }),
		answers,
		own: z.array(answer(false)).length(coachQuestions.length, 'Answer the questions as they are on the page.'),
		sponsor: z.object({
			name: optionalName,
			organisation: z.string().trim().max(120, 'Use at most 120 characters.').default(''),
			email: optionalEmail("the sponsor's"),
			pays: z.enum(['yes', 'no', '']).default('')
		})
	});
}

/** The flat fields a form posts, as the object `scopingAnswersForm` reads. */
export function readScopingFields(form: Record<string, string>, coachQuestions: readonly string[]) {
	return {
		respondentName: form.respondentName,
		respondentRole: form.respondentRole,
		answers: Object.fromEntries(SCOPING_QUESTION_IDS.map((id) => [id, form[`q.${id}`] ?? ''])),
		own: coachQuestions.map((_, i) => form[`own.${i}`] ?? ''),
		sponsor: { name: form.sponsorName ?? '', organisation: form.sponsorOrganisation ?? '', email: form.sponsorEmail ?? '', pays: form.sponsorPays ?? '' }
	};
}

/** Field messages keyed as the form names them (`q.want`, `own.0`, `sponsorEmail`). */
export function scopingFieldName(path: readonly PropertyKey[]): string {
	const [head, second] = path.map(String);
	if (head === 'answers') return `q.${second}`;
	if (head === 'own') return `own.${second ?? 0}`;
	if (head === 'sponsor') return `sponsor${(second ?? '').charAt(0).toUpperCase()}${(second ?? '').slice(1)}`;
	return head ?? 'form';
}

/** Taking the work on: the engagement's title and plan, prefilled from the proposal and answers. */
export const takeForm = engagementForm.omit({ kind: true }).extend({
	note: z.string().trim().max(SCOPING_LIMITS.noteChars, `Use at most ${SCOPING_LIMITS.noteChars.toLocaleString('en-GB')} characters.`).default('')
});

export const declineForm = z.object({
	message: z
		.string({ error: 'Write the email to send.' })
		.trim()
		.min(20, 'Write a few sentences: the email is all they will hear from you.')
		.max(SCOPING_LIMITS.declineChars, `Use at most ${SCOPING_LIMITS.declineChars.toLocaleString('en-GB')} characters.`),
	note: z.string().trim().max(SCOPING_LIMITS.noteChars, `Use at most ${SCOPING_LIMITS.noteChars.toLocaleString('en-GB')} characters.`).default('')
});
