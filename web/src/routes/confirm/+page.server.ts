import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import { requestContext, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	requireUser(event);
	return { confirmed: event.locals.confirmed };
};

export const actions: Actions = {
	/** Mails a new confirmation link to the signed-in person. */
	default: async (event) => {
		const user = requireUser(event);
		const result = await services().auth.requestConfirmation(user.id, requestContext(event));
		if (!result.ok) return failWith(result.error);
		return { sent: result.value.email };
	}
};
