import { services } from '$lib/server/services.ts';
import { failWith, formObject, formWithLists } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** Asking a scheme for a coach or mentor: the scheme's terms, the readiness questions, then the request's progress. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const scheme = await services().schemes.about(event.params.id);
	if (!scheme) notFound();
	const mine = await services().schemes.myRequest(event.params.id, user.id);
	return { scheme, mine };
};

export const actions: Actions = {
	request: async (event) => {
		const user = requireUser(event);
		const { form, values } = await formWithLists(event.request, ['areas']);
		const result = await services().schemes.request(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, values);
		return { sent: true };
	},
	withdraw: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().schemes.withdrawRequest(form.request ?? '', user.id);
		if (!result.ok) return failWith(result.error);
		return { withdrawn: true };
	}
};
