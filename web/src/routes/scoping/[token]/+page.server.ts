import { error } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { httpStatus } from '$shared/result.ts';
import type { Actions, PageServerLoad } from './$types';

/** The scoping questions, for whoever holds the link: no account, nothing but this proposal's questions. */
export const load: PageServerLoad = async ({ params, setHeaders }) => {
	setHeaders({ 'cache-control': 'private, no-store' });
	const link = await services().proposals.describeLink(params.token);
	if (!link.ok) error(httpStatus[link.error.code], link.error.message);
	return { link: link.value };
};

export const actions: Actions = {
	default: async ({ params, request }) => {
		const form = await formObject(request);
		const result = await services().proposals.answer(params.token, form);
		if (!result.ok) return failWith(result.error, form);
		return { answered: result.value.answeredAt };
	}
};
