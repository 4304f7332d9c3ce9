import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ params, locals }) => {
		const result = await services().auth.confirmEmail(params.token, locals.where);
		if (!result.ok) return failWith(result.error);
		return { confirmed: true };
	}
};
