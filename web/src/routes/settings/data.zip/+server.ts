import { error } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import { httpStatus } from '$shared/result.ts';
import type { RequestHandler } from './$types';

/** Everything the product holds about the signed-in person that they may see, as one zip. `?for=` another person: refused. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const result = await services().yourData.exportFor(event.url.searchParams.get('for') ?? user.id, user.id, event.locals.where);
	if (!result.ok) error(httpStatus[result.error.code], result.error.message);
	return new Response(result.value.bytes as Uint8Array<ArrayBuffer>, {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': `attachment; filename="${result.value.fileName}"`,
			'cache-control': 'private, no-store'
		}
	});
};
