import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const invite = await services().engagements.describeInvite(params.token);
	if (!invite.ok) return { problem: invite.error.message, invite: null, signedIn: !!locals.user };
	return { problem: null, invite: { title: invite.value.title, kind: invite.value.kind, coachName: invite.value.coachName }, signedIn: !!locals.user };
};

export const actions: Actions = {
	default: async ({ params, locals, url }) => {
		if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
		const result = await services().engagements.acceptInvite(params.token, locals.user.id);
		if (!result.ok) return failWith(result.error);
		redirect(303, `/engagements/${result.value.engagementId}`);
	}
};
