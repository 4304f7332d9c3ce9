import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { summaries } = services();
	const view = await summaries.view(event.params.id, user.id);
	if (!view) notFound();
	return { view, outbox: summaries.mailTransport === 'outbox' };
};

export const actions: Actions = {
	/** The coach sends a failed email again. */
	retry: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const r = await services().summaries.retryDelivery(form.job ?? '', user.id);
		if (!r.ok) return failWith(r.error);
		return { retried: form.job };
	}
};
