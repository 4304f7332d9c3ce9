import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { summaries, feedback, progress } = services();
	const view = await summaries.view(event.params.id, user.id);
	if (!view) notFound();
	// Feedback and ratings sit beside the summary (never in it), for the coach and coachees only.
	const [given, rating] = view.sponsor ? [null, null] : await Promise.all([feedback.view(view.sessionId, user.id), progress.ratingForm(view.copy.engagement.id, user.id, view.sessionId)]);
	return { view, outbox: summaries.mailTransport === 'outbox', feedback: given?.ok ? given.value : null, rating };
};

/** The session a summary is of, for its reader; 404 when the summary is not theirs. */
async function sessionOf(summaryId: string, userId: string) {
	const view = await services().summaries.view(summaryId, userId);
	return view && { sessionId: view.sessionId, engagementId: view.copy.engagement.id };
}

const NOT_FOUND = { code: 'not_found', message: 'No such summary.' } as const;

export const actions: Actions = {
	/** The coach sends a failed email again. */
	retry: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const r = await services().summaries.retryDelivery(form.job ?? '', user.id);
		if (!r.ok) return failWith(r.error);
		return { retried: form.job };
	},
	feedback: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const of = await sessionOf(event.params.id, user.id);
		if (!of) return failWith(NOT_FOUND);
		const r = await services().feedback.give(of.sessionId, user.id, form);
		if (!r.ok) return failWith(r.error, { ...form, on: 'feedback' });
		return { feedbackSaved: true };
	},
	notThisTime: async (event) => {
		const user = requireUser(event);
		const of = await sessionOf(event.params.id, user.id);
		if (!of) return failWith(NOT_FOUND);
		const r = await services().feedback.decline(of.sessionId, user.id);
		if (!r.ok) return failWith(r.error, { on: 'feedback' });
		return { feedbackDeclined: true };
	},
	rate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const of = await sessionOf(event.params.id, user.id);
		if (!of) return failWith(NOT_FOUND);
		// The moment is this summary's session, whatever the form says.
		const r = await services().progress.rate(of.engagementId, user.id, { ...form, moment: 'session', sessionId: of.sessionId });
		if (!r.ok) return failWith(r.error, { ...form, on: 'rate' });
		return { rated: r.value.recorded };
	}
};
