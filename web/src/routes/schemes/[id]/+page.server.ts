import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** The coordinator's view of a scheme; 404 for everyone else (volunteers and requesters have their own pages). */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().schemes.overview(event.params.id, user.id);
	if (!view) notFound();
	return { view, askUrl: `${event.url.origin}/schemes/${event.params.id}/ask` };
};

export const actions: Actions = {
	invite: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.invite(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { invited: { email: result.value.email, url: `${event.url.origin}/scheme-invite/${result.value.id}` } };
	},
	withdraw: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.withdrawMatch(form.match ?? '', user.id);
		if (!result.ok) return failWith(result.error);
		return { done: 'The proposal was withdrawn; the request is back in the queue.' };
	},
	end: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.endPlacement(form.match ?? '', user.id);
		if (!result.ok) return failWith(result.error);
		return { done: 'The placement is closed; both have been asked for feedback.' };
	}
};
