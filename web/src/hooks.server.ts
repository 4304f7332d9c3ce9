import type { Handle, HandleServerError } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { securityHeaders } from '$lib/server/security-headers.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const handle: Handle = async ({ event, resolve }) => {
	const { auth } = services();

	// SvelteKit checks Origin on form posts only; this covers JSON and every
	// other state-changing request too. A missing Origin is a non-browser
	// client, which cannot carry a victim's cookies.
	if (!SAFE_METHODS.has(event.request.method)) {
		const origin = event.request.headers.get('origin');
		if (origin !== null && origin !== event.url.origin) {
			return new Response('Cross-site request refused.', { status: 403 });
		}
	}

	const token = event.cookies.get(auth.cookieName);
	const session = token ? await auth.validateSessionToken(token) : null;
	event.locals.user = session?.user ?? null;
	event.locals.confirmed = session?.confirmed ?? false;
	event.locals.where = {
		address: event.platform?.req ? auth.addressOf(event.platform.req) : event.getClientAddress(),
		userAgent: (event.request.headers.get('user-agent') ?? '').slice(0, 512)
	};
	if (token && !session) event.cookies.delete(auth.cookieName, { path: '/' });
	if (token && session?.renewed) {
		const c = auth.cookieFor(token, session.expiresAt);
		event.cookies.set(c.name, c.value, c.options);
	}
	const response = await resolve(event);
	for (const [name, value] of securityHeaders(event.url.protocol === 'https:')) response.headers.set(name, value);
	return response;
};

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status !== 404) services().log.error({ err: error, path: event.url.pathname }, 'page failed');
	return { message: status === 404 ? 'Not found.' : 'Something went wrong on our side. Please try again.' };
};
