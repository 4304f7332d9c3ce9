import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { User } from '$lib/server/services.ts';

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export function requireUser(event: Pick<RequestEvent, 'locals' | 'url'>): User {
	const user = event.locals.user;
	if (!user) redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	return user;
}

/** 404 with no hint whether the thing exists for someone else. */
export function notFound(): never {
	error(404, 'Not found.');
}

/** Only same-site paths are followed after sign-in (shared/accounts/next-path.ts). */
export { safeNext } from '$shared/accounts/next-path.ts';

/** Who is asking and where links in account emails should point. */
export function requestContext(event: Pick<RequestEvent, 'locals' | 'url'>, next?: string) {
	return { ...event.locals.where, origin: event.url.origin, next };
}
