import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { safeNext } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** The step after a right password for an account with a second factor; nothing else is open until it is done. */
export const load: PageServerLoad = async ({ locals, url, cookies }) => {
	const next = safeNext(url.searchParams.get('next'));
	if (locals.user) redirect(303, next);
	const { auth, twoFactor } = services();
	const userId = await twoFactor.pendingFor(cookies.get(auth.pendingCookieName));
	if (!userId) redirect(303, `/signin?next=${encodeURIComponent(next)}&expired=1`);
	// Which second factors to offer; nothing else of the account is shown before it is given.
	const status = await twoFactor.status(userId);
	return { next, totp: status.totp, passkeys: status.passkeys.length > 0 };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, locals }) => {
		const form = await formObject(request);
		const { auth } = services();
		const result = await auth.verifySecondFactor(cookies.get(auth.pendingCookieName), form, locals.where);
		if (!result.ok) return failWith(result.error, { recovery: form.recoveryCode !== undefined ? '1' : '' });
		const p = auth.clearedPendingCookie();
		cookies.set(p.name, p.value, p.options);
		const c = auth.cookieFor(result.value.token, result.value.expiresAt);
		cookies.set(c.name, c.value, c.options);
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
