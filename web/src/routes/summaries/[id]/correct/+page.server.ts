import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().summaries.view(event.params.id, user.id);
	if (!view || view.role !== 'coach' || !view.copy.coachOnly) notFound();
	return {
		id: view.id,
		version: view.version,
		title: view.copy.engagement.title,
		number: view.copy.session.number,
		actions: view.copy.shared.actions,
		owners: [...new Set(['Both', ...view.copy.participants.map((p) => p.name)])],
		learningPoints: view.copy.shared.learningPoints.join('\n'),
		notes: view.copy.shared.notes,
		privateNotes: view.copy.coachOnly.privateNotes
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
