import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const link = await services().sponsors.describeLink(params.token);
	if (!link.ok) return { problem: link.error.message, link: null, signedIn: !!locals.user };
	return { problem: null, link: { title: link.value.title, kind: link.value.kind, coachName: link.value.coachName }, signedIn: !!locals.user };
};

export const actions: Actions = {
	default: async ({ params, locals, url }) => {
		if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
		const result = await services().sponsors.acceptLink(params.token, locals.user.id);
		if (!result.ok) return failWith(result.error);
		redirect(303, `/sponsor/${result.value.engagementId}`);
	}
};
