import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import { download } from '$lib/server/download.ts';
import type { RequestHandler } from './$types';

/** The reader's copy of the engagement report as a PDF. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const file = await services().closing.reportPdf(event.params.id, user.id);
	return download(event, user.id, file && { fileName: file.fileName, body: file.pdf, type: 'application/pdf' });
};
