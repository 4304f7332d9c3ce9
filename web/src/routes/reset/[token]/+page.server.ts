import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	services().auth.prepareStrengthCheck();
	return { valid: await services().auth.resetLinkValid(params.token) };
};

export const actions: Actions = {
	default: async ({ params, request, cookies, locals }) => {
		const form = await formObject(request);
		const { auth } = services();
		const result = await auth.resetPassword(params.token, form, locals.where);
		if (!result.ok) return failWith(result.error);
		const c = auth.cookieFor(result.value.token, result.value.expiresAt);
		cookies.set(c.name, c.value, c.options);
		redirect(303, '/settings/devices?reset=1');
	}
};
