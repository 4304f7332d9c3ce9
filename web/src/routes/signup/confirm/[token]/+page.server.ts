import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

// Opening the link only shows a button: mail scanners that fetch links must not use it up.
export const load: PageServerLoad = async ({ params }) => ({ valid: await services().auth.signUpLinkValid(params.token) });

export const actions: Actions = {
	default: async ({ params, cookies, locals }) => {
		const { auth } = services();
		const result = await auth.finishSignUp(params.token, locals.where);
		if (!result.ok) return failWith(result.error);
		const c = auth.cookieFor(result.value.token, result.value.expiresAt);
		cookies.set(c.name, c.value, c.options);
		redirect(303, result.value.next ?? '/');
	}
};
