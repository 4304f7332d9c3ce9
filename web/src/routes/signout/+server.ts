import { redirect } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { clearedSessionCookie, sessionCookieName } from '$server/auth/cookies.ts';
import type { RequestHandler } from './$types';

/** Sign-out invalidates the session on the server, not just the cookie. */
export const POST: RequestHandler = async ({ cookies }) => {
	const { auth, config } = services();
	await auth.signOut(cookies.get(sessionCookieName(config.secureCookies)));
	const c = clearedSessionCookie(config.secureCookies);
	cookies.set(c.name, c.value, c.options);
	redirect(303, '/signin');
};
