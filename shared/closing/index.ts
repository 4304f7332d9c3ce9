/**
 * Closing an engagement (issue 14, part 2): the forms both sides send and the
 * report's shape, checked by the same schemas in the browser and on the
 * server. The final evaluation asks the seed's questions ("was the coach
 * helpful? did they aid the coachee's learning? did the coachee gain what
 * they hoped to gain, and has this fed back into their organisation and
 * affected work performance?") of both sides, each rated 1 to 5, plus a 0-10
 * rating of each contract goal; the coach adds a reflection only they see.
 */
import { z } from 'zod';
import type { EngagementRole } from '../domain.ts';

export const CLOSE_REASONS = ['completed', 'early_goals_met', 'early_other'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export const CLOSE_REASON_WORDS: Record<CloseReason, string> = {
	completed: 'The contracted sessions are done',
	early_goals_met: 'Closed early: the goals are met',
	early_other: 'Closed early for another reason'
};

/** Months ahead the coach may set the follow-up ("did the change last?"); 0 means none. */
export const FOLLOW_UP_MONTHS = [0, 1, 2, 3, 6, 9, 12] as const;

const text = (what: string, max: number) => z.string({ error: `Write ${what}.` }).trim().min(1, `Write ${what}.`).max(max, `Use at most ${max} characters for ${what}.`);
const optionalText = (what: string, max: number) => z.string().trim().max(max, `Use at most ${max} characters for ${what}.`).optional().default('');

export const closeForm = z.object({
	/** `close`: the coach closes now; `propose`: either side asks the other to agree. */
	mode: z.enum(['close', 'propose'], { error: 'Choose to close now or to propose closing.' }),
	reason: z.enum(CLOSE_REASONS, { error: 'Choose why the engagement closes.' }),
	note: text('a few words on why it closes (both of you will read them)', 1_000),
	followUpMonths: z.coerce
		.number({ error: 'Choose when to follow up, or no follow-up.' })
		.refine((n) => (FOLLOW_UP_MONTHS as readonly number[]).includes(n), 'Choose when to follow up, or no follow-up.')
		.optional()
		.default(0)
});
export type CloseForm = z.infer<typeof closeForm>;

export const agreeForm = z.object({
	decision: z.enum(['agree', 'decline'], { error: 'Choose to agree or not.' }),
	followUpMonths: closeForm.shape.followUpMonths
});

/** The seed's questions, in each side's words. */
export const EVALUATION_QUESTIONS = ['helpful', 'learning', 'gained', 'organisation'] as const;
export type EvaluationQuestion = (typeof EVALUATION_QUESTIONS)[number];
export const QUESTION_WORDS: Record<EngagementRole, Record<EvaluationQuestion, string>> = {
	coachee: {
		helpful: 'Was your coach helpful?',
		learning: 'Did they aid your learning?',
		gained: 'Did you gain what you hoped to gain?',
		organisation: 'Has this fed back into your organisation and affected your work performance?'
	},
	coach: {
		helpful: 'Were you able to help?',
		learning: 'Did the coaching aid the coachee’s learning?',
		gained: 'Did the coachee gain what they hoped to gain?',
		organisation: 'Has it fed back into their organisation and affected their work performance?'
	}
};
export const SCALE_WORDS = ['', 'Not at all', 'A little', 'Somewhat', 'Mostly', 'Completely'] as const;

const scale = (q: string) => z.coerce.number({ error: `Answer “${q}” from 1 to 5.` }).int(`Answer “${q}” from 1 to 5.`).min(1, `Answer “${q}” from 1 to 5.`).max(5, `Answer “${q}” from 1 to 5.`);
const goalScore = z.coerce.number({ error: 'Rate each goal from 0 to 10.' }).int('Rate each goal from 0 to 10.').min(0, 'Rate each goal from 0 to 10.').max(10, 'Rate each goal from 0 to 10.');

export const evaluationForm = z.object({
	helpful: scale('was it helpful'),
	learning: scale('did it aid learning'),
	gained: scale('was what was hoped for gained'),
	organisation: scale('has it fed back into the organisation'),
	comment: optionalText('your comment', 2_000),
	/** The coach's own reflection: in the coach's copy only. */
	reflection: optionalText('your reflection', 4_000),
	/** Goal id -> 0..10. */
	goals: z.record(z.string(), goalScore)
});
export type EvaluationAnswers = z.infer<typeof evaluationForm>;

export const FOLLOW_UP_LASTED = ['yes', 'partly', 'no'] as const;
export const LASTED_WORDS: Record<(typeof FOLLOW_UP_LASTED)[number], string> = { yes: 'Yes, it lasted', partly: 'Partly', no: 'No, it faded' };
export const followUpForm = z.object({
	lasted: z.enum(FOLLOW_UP_LASTED, { error: 'Say whether the change lasted.' }),
	notes: optionalText('what you noticed', 2_000)
});
export type FollowUpAnswers = z.infer<typeof followUpForm>;

/** Form fields as the page posts them: `goal.<id>` per goal rating. */
export function evaluationInput(form: Record<string, string>): unknown {
	const goals: Record<string, string> = {};
	for (const [k, v] of Object.entries(form)) if (k.startsWith('goal.')) goals[k.slice(5)] = v;
	return { ...form, goals };
}

export type ClosingState = 'open' | 'proposed' | 'closed';

/** Who reads a report: the coach (with private reflections), a coachee, or the sponsor's draft. */
export type ReportReader = 'coach' | 'coachee' | 'sponsor';

/** The engagement report as data; each reader's copy is made by leaving parts out (server/closing/report.ts). */
export interface EngagementReport {
	engagement: { id: string; title: string; kind: 'coaching' | 'mentoring' };
	reader: ReportReader;
	closedAt: number | null;
	closeReason: CloseReason | null;
	closeNote: string | null;
	people: { userId: string; name: string; role: EngagementRole }[];
	goals: {
		id: string;
		statement: string;
		targetDate: string;
		/** Ratings before the close (the progress feature), oldest first; `label` names the moment (copies stored before it had none). */
		progress: { raterName: string; moment: string; label?: string; score: number; at: number }[];
		/** The ratings given at close, per person: the progress feature's `close` points, each once. */
		atClose: { raterName: string; score: number; raterRole?: EngagementRole }[];
	}[];
	sessions: { number: number; kind: string; scheduledAt: number; startedAt: number | null; endedAt: number | null; minutes: number | null }[];
	actions: { text: string; owner: string; status: 'done' | 'dropped' | 'open'; sessionNumber: number }[];
	learningPoints: { sessionNumber: number; text: string }[];
	feedback: { sessionNumber: number | null; fromName: string; text: string; rating: number | null }[];
	evaluations: { name: string; role: EngagementRole; answers: Record<EvaluationQuestion, number>; comment: string; at: number }[];
	followUps: { name: string; lasted: (typeof FOLLOW_UP_LASTED)[number]; notes: string; at: number }[];
	/** The coach's copy only: their final reflection and their private session reflections. */
	reflections: { sessionNumber: number | null; text: string }[] | null;
}
