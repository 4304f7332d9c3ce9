import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { finishOrAskSecondFactor } from '$lib/server/second-factor.ts';
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
		// With a second factor, the new password is saved but signing in still asks for the code.
		finishOrAskSecondFactor(cookies, result.value, '/settings/devices?reset=1');
		redirect(303, '/settings/devices?reset=1');
	}
};
