import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { summaries } = services();
	const view = await summaries.view(event.params.id, user.id);
	// The form starts from what was recorded, in full: the page's copy may be shortened.
	const recorded = view?.role === 'coach' ? await summaries.correctionDraft(event.params.id, user.id) : null;
	if (!view || !recorded?.coachOnly) notFound();
	const mails = await summaries.correctionMails(event.params.id, user.id);
	return {
		mails,
		id: view.id,
		version: view.version,
		title: recorded.engagement.title,
		number: recorded.session.number,
		actions: recorded.shared.actions,
		owners: [...new Set(['Both', ...recorded.participants.map((p) => p.name)])],
		learningPoints: recorded.shared.learningPoints.join('\n'),
		notes: recorded.shared.notes,
		privateNotes: recorded.coachOnly.privateNotes
	};
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const r = await services().summaries.correct(event.params.id, user.id, form);
		if (!r.ok) return failWith(r.error, form);
		redirect(303, `/summaries/${r.value.id}`);
	}
};
