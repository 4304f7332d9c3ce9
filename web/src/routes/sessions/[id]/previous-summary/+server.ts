import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** Last time's summary for this session's engagement (or null), for the "Last time" link in the room. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const previous = await services().summaries.previousForSession(event.params.id, user.id);
	return json({ previous }, { headers: { 'cache-control': 'private, no-store' } });
};
