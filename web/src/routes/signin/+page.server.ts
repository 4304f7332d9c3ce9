import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { safeNext } from '$lib/server/guards.ts';
import { finishOrAskSecondFactor } from '$lib/server/second-factor.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	return { next: safeNext(url.searchParams.get('next')), expired: url.searchParams.has('expired'), deleted: url.searchParams.has('deleted') };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals }) => {
		const form = await formObject(request);
		const { auth } = services();
		const result = await auth.signIn(form, locals.where);
		if (!result.ok) return failWith(result.error, form);
		const next = safeNext(url.searchParams.get('next'));
		finishOrAskSecondFactor(cookies, result.value, next);
		redirect(303, next);
	}
};
