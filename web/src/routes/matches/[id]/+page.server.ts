import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** A proposed match for the coach and the coachee in it: answer it, then (after the placement) give feedback. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const match = await services().schemes.match(event.params.id, user.id);
	if (!match) notFound();
	return { match };
};

export const actions: Actions = {
	answer: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.answer(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { answered: result.value.state };
	},
	feedback: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.feedback(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { thanked: true };
	}
};
