import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import { download } from '$lib/server/download.ts';
import type { RequestHandler } from './$types';

/** The reader's copy of the engagement report as a Markdown file. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const md = await services().closing.reportMarkdown(event.params.id, user.id);
	return download(event, user.id, md && { fileName: md.fileName, body: md.text, type: 'text/markdown; charset=utf-8' });
};
