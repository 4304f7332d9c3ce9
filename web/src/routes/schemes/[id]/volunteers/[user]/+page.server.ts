import { services } from '$lib/server/services.ts';
import { failWith, formWithLists } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** A volunteer's profile: the volunteer edits it, the scheme's coordinators read it, nobody else finds it. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().schemes.profile(event.params.id, event.params.user, user.id);
	if (!view) notFound();
	return view;
};

export const actions: Actions = {
	save: async (event) => {
		const user = requireUser(event);
		const { form, values } = await formWithLists(event.request, ['areas']);
		const result = await services().schemes.saveProfile(event.params.id, event.params.user, user.id, form);
		if (!result.ok) return failWith(result.error, values);
		return { saved: true };
	}
};
