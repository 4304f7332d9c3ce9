import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** Last time's summary for this session's engagement (or null), for the "Last time" link in the room. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	// Someone outside the engagement gets the same answer as for a session that does not exist.
	if (!(await services().engagements.sessionAccess(event.params.id, user.id))) notFound();
	const previous = await services().summaries.previousForSession(event.params.id, user.id);
	return json({ previous }, { headers: { 'cache-control': 'private, no-store' } });
};
