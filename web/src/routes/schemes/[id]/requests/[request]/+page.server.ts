import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** A request as its scheme's coordinators see it: readiness, history and ranked suggestions with reasons. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const page = await services().schemes.requestPage(event.params.request, user.id);
	if (!page || page.scheme.id !== event.params.id) notFound();
	return { page };
};

export const actions: Actions = {
	propose: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.propose(event.params.request, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { proposed: result.value.id };
	}
};
