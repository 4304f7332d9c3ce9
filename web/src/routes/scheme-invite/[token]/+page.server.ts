import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const invite = await services().schemes.describeInvite(params.token);
	if (!invite.ok) return { problem: invite.error.message, invite: null, signedIn: !!locals.user };
	return { problem: null, invite: invite.value, signedIn: !!locals.user };
};

export const actions: Actions = {
	default: async ({ params, locals, url }) => {
		if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
		const result = await services().schemes.acceptInvite(params.token, locals.user);
		if (!result.ok) return failWith(result.error);
		redirect(303, result.value.role === 'coordinator' ? `/schemes/${result.value.schemeId}` : `/schemes/${result.value.schemeId}/volunteers/${locals.user.id}`);
	}
};
