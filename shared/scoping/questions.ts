/**
 * The scoping questions ("Do I want this work?"), asked of the requestor or
 * sponsor before the work is taken on: the seed's three (what is happening
 * now, what you would like to have happen, what needs to happen so that it is
 * automatic), who the coaching is for and whether they asked for it, and what
 * a coach needs to plan (why now, how you will know it worked, what you
 * expect, availability, who pays). Their answers tell the coach whether the
 * work is likely to succeed, or whether another coach or style of help would
 * serve better; where they fit, they prefill the contract's first draft.
 */
import type { EngagementKind } from '../domain.ts';

export const SCOPING_QUESTION_IDS = ['forWhom', 'now', 'want', 'automatic', 'whyNow', 'measure', 'expect', 'availability', 'pays'] as const;
export type ScopingQuestionId = (typeof SCOPING_QUESTION_IDS)[number];

export interface ScopingQuestion {
	id: ScopingQuestionId;
	question: string;
	hint: string;
	required: boolean;
}

const QUESTIONS: Record<ScopingQuestionId, { question: string; hint: string; required?: true }> = {
	forWhom: { question: 'Who is the coaching for, and did they ask for it themselves?', hint: 'For example: "For me; I asked my manager for it", or "For Sam, in my team; we agreed it together".' },
	now: { question: 'What is happening right now?', hint: 'The situation as it is today, and any patterns you notice.', required: true },
	want: { question: 'What would you like to have happen?', hint: 'What would be different if the coaching worked.', required: true },
	automatic: { question: 'What needs to happen so that what you would like to have happen becomes automatic?', hint: 'The habits, support or changes that would make it stick.', required: true },
	whyNow: { question: 'Why now?', hint: 'What makes this the right time.' },
	measure: { question: 'How will you know the coaching has worked?', hint: 'Something you or others could notice or measure.' },
	expect: { question: 'What do you expect from the coaching, and from your coach?', hint: 'How you like to work, and anything you would rather avoid.' },
	availability: { question: 'When are you available, and how often would you like to meet?', hint: 'Days, times, time zone; weekly, fortnightly, monthly.' },
	pays: { question: 'Who pays for the coaching, and who else should be involved?', hint: 'For example an employer or a manager acting as sponsor. Their details can go below.' }
};

/** Mentoring wording: the same questions about mentoring and a mentor. */
const mentoringWords = (s: string) => s.replace(/\bcoaching\b/g, 'mentoring').replace(/\bcoach\b/g, 'mentor');

export function scopingQuestions(kind: EngagementKind): ScopingQuestion[] {
	return SCOPING_QUESTION_IDS.map((id) => {
		const q = QUESTIONS[id];
		const word = kind === 'mentoring' ? mentoringWords : (s: string) => s;
		return { id, question: word(q.question), hint: word(q.hint), required: q.required ?? false };
	});
}

/** A proposal's state in a word, for badges. */
export const PROPOSAL_STATUS_WORDS = { open: 'waiting for answers', answered: 'answered', taken: 'taken on', declined: 'declined' } as const;
