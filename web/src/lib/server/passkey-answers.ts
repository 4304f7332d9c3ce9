import { error, json, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { safeNext } from '$lib/server/guards.ts';
import { httpStatus, type Failure } from '$shared/result.ts';

/** A passkey endpoint's refusal: the status from its code and a message the page shows. */
export const refusal = (e: Failure) => json({ code: e.code, message: e.message }, { status: httpStatus[e.code] });

/** A JSON body of at most a few KiB (a WebAuthn answer), or 400. */
export async function jsonBody(request: Request): Promise<unknown> {
	try {
		return await request.json();
	} catch {
		error(400, 'The passkey answer could not be read; try again.');
	}
}

/** Signs in with a passkey (finishing a pending sign-in when `pending`), setting the cookies; answers where to go. */
export async function passkeySignIn(event: Pick<RequestEvent, 'request' | 'url' | 'locals'> & { cookies: Cookies }, pending: boolean) {
	const { auth } = services();
	const token = pending ? (event.cookies.get(auth.pendingCookieName) ?? '') : null;
	const result = await auth.signInWithPasskey(token, await jsonBody(event.request), event.locals.where, { origin: event.url.origin });
	if (!result.ok) return refusal(result.error);
	if (pending) {
		const p = auth.clearedPendingCookie();
		event.cookies.set(p.name, p.value, p.options);
	}
	const c = auth.cookieFor(result.value.token, result.value.expiresAt);
	event.cookies.set(c.name, c.value, c.options);
	return json({ location: safeNext(event.url.searchParams.get('next')) });
}
