import { redirect, type Cookies } from '@sveltejs/kit';
import { services, type SignInStep } from '$lib/server/services.ts';

/**
 * After a right password (or a reset link): sets the session cookie, or,
 * when the account has a second factor, the pending cookie and a redirect
 * to the page asking for it (which then continues to `next`).
 */
export function finishOrAskSecondFactor(cookies: Cookies, step: SignInStep, next: string): void {
	const { auth } = services();
	if ('secondFactor' in step) {
		const p = auth.pendingCookieFor(step.secondFactor.token, step.secondFactor.expiresAt);
		cookies.set(p.name, p.value, p.options);
		redirect(303, `/signin/second-factor?next=${encodeURIComponent(next)}`);
	}
	const c = auth.cookieFor(step.token, step.expiresAt);
	cookies.set(c.name, c.value, c.options);
}
