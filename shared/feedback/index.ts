/**
 * Feedback after a session, as pages and the server share it: the coachee's
 * short answers (how useful it was, 1 to 5; what helped; what could be
 * better), the coach's private reflection and optional note to the coachee,
 * and "not this time". All optional; the forms are checked with zod on the
 * server.
 */
import { z } from 'zod';

export const MAX_FEEDBACK_CHARS = 2_000;

const answer = (what: string) => z.string().trim().max(MAX_FEEDBACK_CHARS, `Use at most ${MAX_FEEDBACK_CHARS.toLocaleString('en-GB')} characters for ${what}.`).default('');

/** Blank means "not answered"; anything else must be a whole number from 1 to 5. */
const usefulness = z
	.string()
	.trim()
	.default('')
	.transform((s, ctx) => {
		if (s === '') return null;
		const n = Number(s);
		if (!Number.isInteger(n) || n < 1 || n > 5) {
			ctx.addIssue({ code: 'custom', message: 'Rate how useful the session was from 1 (not at all) to 5 (very).' });
			return z.NEVER;
		}
		return n;
	});

export const coacheeFeedbackForm = z
	.object({ usefulness, helped: answer('what helped'), better: answer('what could be better') })
	.refine((f) => f.usefulness !== null || f.helped !== '' || f.better !== '', { message: 'Answer at least one question, or choose "Not this time".', path: ['usefulness'] });

export const coachFeedbackForm = z
	.object({ reflection: answer('your reflection'), noteToCoachee: answer('the note to your coachee') })
	.refine((f) => f.reflection !== '' || f.noteToCoachee !== '', { message: 'Write a reflection or a note, or choose "Not this time".', path: ['reflection'] });

export type CoacheeFeedback = z.infer<typeof coacheeFeedbackForm>;
export type CoachFeedback = z.infer<typeof coachFeedbackForm>;

/** One coachee's answers, as the coach (or that coachee) reads them. */
export interface CoacheeAnswers extends CoacheeFeedback {
	userId: string;
	name: string;
	updatedAt: number;
}

/**
 * What one person sees of a session's feedback. A coachee: their own answers
 * and the coach's note; never the coach's reflection nor another coachee's
 * answers. The coach: everything, including their reflection.
 */
export interface FeedbackView {
	sessionId: string;
	role: 'coach' | 'coachee';
	/** 'open': nothing given yet; 'given'; 'declined': "not this time" (can still answer later). */
	state: 'open' | 'given' | 'declined';
	/** The reader's own answers, to edit. */
	mine: { usefulness: number | null; helped: string; better: string; reflection: string; noteToCoachee: string; updatedAt: number | null };
	/** For the coach: every coachee's answers. For a coachee: nothing (their own are in `mine`). */
	coachees: CoacheeAnswers[];
	/** The coach's note to the coachee(s), when written; the coach's reflection is never here. */
	noteFromCoach: { name: string; text: string; updatedAt: number } | null;
}

/** The line that asks for feedback, in the summary email and on its page. */
export const feedbackAsk = (role: 'coach' | 'coachee') => (role === 'coach' ? 'Add your reflection' : 'Tell your coach how it went');
