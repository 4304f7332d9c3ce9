import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** The reader's copy of a summary as a Markdown file. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const md = await services().summaries.markdown(event.params.id, user.id);
	if (!md) notFound();
	await services().auth.recordExport(user.id, `summary ${md.fileName}`, event.locals.where);
	return new Response(md.text, {
		headers: {
			'content-type': 'text/markdown; charset=utf-8',
			'content-disposition': `attachment; filename="${md.fileName}"`,
			'cache-control': 'private, no-store'
		}
	});
};
