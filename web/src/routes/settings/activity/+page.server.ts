import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

/** The person's own audit log: security events of their account, newest first. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { events: await services().auth.activity(user.id) };
};
