import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requestContext } from '$lib/server/guards.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	// The same answer whether or not the address has an account.
	default: async (event) => {
		const form = await formObject(event.request);
		const result = await services().auth.requestPasswordReset(form, requestContext(event));
		if (!result.ok) return failWith(result.error, form);
		return { sent: result.value.email };
	}
};
