import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** The coach's log of hours in ICF's columns; clients who have not agreed to be named appear by label. */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const csv = await services().practice.hoursCsv(user.id);
	await services().auth.recordExport(user.id, `coaching log ${csv.fileName}`, event.locals.where);
	return new Response(csv.text, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${csv.fileName}"`,
			'cache-control': 'private, no-store'
		}
	});
};
