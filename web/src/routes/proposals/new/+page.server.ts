import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	requireUser(event);
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().proposals.create(user.id, form, event.url.origin);
		if (!result.ok) return failWith(result.error, form);
		redirect(303, `/proposals/${result.value.id}`);
	}
};
