import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { sessionName } from '$shared/sessions.ts';
import type { PageServerLoad } from './$types';

/** The latest summary of a session, for links made before its id is known; else why there is none yet. */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { engagements, summaries } = services();
	// Members, and the sponsor of a three-way meeting (its summary only).
	const access = await engagements.roomAccess(event.params.id, user.id);
	if (!access) notFound();
	const id = await summaries.latestForSession(event.params.id, user.id);
	if (id) redirect(303, `/summaries/${id}`);
	const home = access.role === 'sponsor' ? `/sponsor/${access.engagement.id}` : `/engagements/${access.engagement.id}`;
	return {
		sessionId: access.session.id,
		status: access.session.status,
		name: sessionName(access.session, access.engagement.planned_sessions),
		engagement: { id: access.engagement.id, title: access.engagement.title, home }
	};
};
