import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** The coach's supervision notes of one engagement, with the people in it replaced by labels. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const md = await services().practice.supervisionMarkdown(event.params.id, user.id);
	if (!md) notFound();
	await services().auth.recordExport(user.id, `supervision notes ${md.fileName}`, event.locals.where);
	return new Response(md.text, {
		headers: {
			'content-type': 'text/markdown; charset=utf-8',
			'content-disposition': `attachment; filename="${md.fileName}"`,
			'cache-control': 'private, no-store'
		}
	});
};
