/**
 * The closing seam (sources.ts) over the real goal-progress and feedback
 * features: ratings given at close are recorded as progress at moment
 * `close`; a reader's copy of the report gets exactly the ratings and
 * feedback those features would show that reader on their own pages, so the
 * report can never show more than the app does.
 */
import type { Logger } from '../log/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Feedback, FeedbackView } from '../feedback/index.ts';
import type { Progress } from '../progress/index.ts';
import type { ClosingSources, FeedbackItem } from './sources.ts';

export interface ClosingFeatures {
	progress: Pick<Progress, 'recordRatings' | 'series'>;
	feedback: Pick<Feedback, 'view'>;
	engagements: Pick<Engagements, 'sessionsOf'>;
	log: Logger;
}

const joined = (...parts: string[]) => parts.filter((p) => p.trim() !== '').join('\n\n');

/** One session's feedback as the report lists it, for the person viewing. */
export function feedbackItems(view: FeedbackView, readerId: string, coachId: string | null): FeedbackItem[] {
	const items: FeedbackItem[] = [];
	const mine = view.mine;
	if (view.role === 'coach') {
		// The coachees' answers first, then the coach's note: the order a coachee's copy has too.
		for (const c of view.coachees) items.push({ sessionId: view.sessionId, fromId: c.userId, text: joined(c.helped, c.better), rating: c.usefulness, private: false });
		if (mine.noteToCoachee) items.push({ sessionId: view.sessionId, fromId: readerId, text: mine.noteToCoachee, rating: null, private: false });
		if (mine.reflection) items.push({ sessionId: view.sessionId, fromId: readerId, text: mine.reflection, rating: null, private: true });
		return items;
	}
	if (view.state === 'given') items.push({ sessionId: view.sessionId, fromId: readerId, text: joined(mine.helped, mine.better), rating: mine.usefulness, private: false });
	if (view.noteFromCoach && coachId) items.push({ sessionId: view.sessionId, fromId: coachId, text: view.noteFromCoach.text, rating: null, private: false });
	return items;
}

export function closingSourcesFrom(f: ClosingFeatures, coachOf: (engagementId: string) => Promise<string | null>): ClosingSources {
	const log = f.log.child({ feature: 'closing' });
	return {
		async recordCloseRatings(input) {
			const r = await f.progress.recordRatings(input);
			if (!r.ok) throw new Error(`goal ratings at close were refused: ${r.error.message}`);
		},
		async progressForReport(engagementId, readerId) {
			const series = await f.progress.series(engagementId, readerId);
			return (series?.points ?? []).map((p) => ({ goalId: p.goalId, raterId: p.raterId, moment: p.moment, label: p.label, score: p.score, at: p.at }));
		},
		async feedbackForReport(engagementId, readerId) {
			const ended = (await f.engagements.sessionsOf(engagementId)).filter((s) => s.status === 'ended');
			const coachId = await coachOf(engagementId);
			const items: FeedbackItem[] = [];
			for (const s of ended) {
				const view = await f.feedback.view(s.id, readerId);
				if (view.ok) items.push(...feedbackItems(view.value, readerId, coachId));
				else if (view.error.code !== 'not_found') log.warn({ session: s.id, error: view.error }, 'feedback for the report could not be read');
			}
			return items;
		}
	};
}
