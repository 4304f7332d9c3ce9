import type { RequestEvent } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { notFound } from '$lib/server/guards.ts';

/** A file of the reader's own, recorded in their activity as an export; 404 when there is none for them. */
export async function download(event: Pick<RequestEvent, 'locals'>, userId: string, file: { fileName: string; body: string | Uint8Array; type: string } | null): Promise<Response> {
	if (!file) notFound();
	await services().auth.recordExport(userId, `report ${file.fileName}`, event.locals.where);
	return new Response(typeof file.body === 'string' ? file.body : new Uint8Array(file.body), {
		headers: { 'content-type': file.type, 'content-disposition': `attachment; filename="${file.fileName}"`, 'cache-control': 'private, no-store' }
	});
}
