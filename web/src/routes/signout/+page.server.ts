import { redirect } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { clearedSessionCookie, sessionCookieName } from '$server/auth/cookies.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ cookies }) => {
		const { auth, config } = services();
		await auth.signOut(cookies.get(sessionCookieName(config.secureCookies)));
		const c = clearedSessionCookie(config.secureCookies);
		cookies.set(c.name, c.value, c.options);
		redirect(303, '/signin');
	}
};
