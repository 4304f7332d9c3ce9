import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requestContext, safeNext } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	services().auth.prepareStrengthCheck();
	return { next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
	// The same answer whether or not the address has an account: a link was mailed.
	default: async (event) => {
		const form = await formObject(event.request);
		const result = await services().auth.signUp(form, requestContext(event, safeNext(event.url.searchParams.get('next'))));
		if (!result.ok) return failWith(result.error, form);
		return { sent: result.value.email };
	}
};
