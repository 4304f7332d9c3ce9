import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import type { RequestHandler } from './$types';

/** Sign-out invalidates the session on the server, not just the cookie, and closes its live connections. */
export const POST: RequestHandler = async ({ cookies, locals }) => {
	const { auth } = services();
	await auth.signOut(cookies.get(auth.cookieName), locals.where);
	const c = auth.clearedCookie();
	cookies.set(c.name, c.value, c.options);
	redirect(303, '/signin');
};
