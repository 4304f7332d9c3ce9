import { services } from '$lib/server/services.ts';
import { notFound } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/**
 * A person's private calendar feed. The secret in the address is the only
 * credential (calendar apps subscribe without cookies); a revoked or
 * regenerated address answers 404, like one that never existed.
 */
export const GET: RequestHandler = async ({ params }) => {
	const text = await services().calendar.feed(params.token);
	if (text === null) notFound();
	return new Response(text, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="confidante.ics"',
			'cache-control': 'private, no-store',
			'x-robots-tag': 'noindex'
		}
	});
};
