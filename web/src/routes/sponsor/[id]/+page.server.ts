import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

/** The sponsor's page: what the sponsors feature allows them, nothing else. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().sponsors.view(event.params.id, user.id);
	if (!view) notFound();
	return { view };
};
