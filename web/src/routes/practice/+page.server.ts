import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** The coach's own log: only engagements they coach appear, so anyone else sees an empty one. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { log: await services().practice.hoursLog(user.id) };
};

export const actions: Actions = {
	/** Paid or pro bono, and the client's organisation, for one engagement. */
	log: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().practice.setEngagementLog(form.engagementId ?? '', user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { savedFor: form.engagementId };
	}
};
