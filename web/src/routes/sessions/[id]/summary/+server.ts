import { redirect } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** The latest summary of a session, for links made before its id is known. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const id = await services().summaries.latestForSession(event.params.id, user.id);
	if (!id) notFound();
	redirect(303, `/summaries/${id}`);
};
