import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

/** Everything of schemes that is the signed-in person's: coordinating, volunteering, requests and matches. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { mine: await services().schemes.mine(user.id), me: user.id };
};
