import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { RequestHandler } from './$types';

/** The raw message file, for its recipient (or, for a summary, the engagement's coach). */
export const GET: RequestHandler = async (event) => {
	const user = requireUser(event);
	const raw = (await services().summaries.outboxMessage(event.params.id, user.id)) ?? (await services().mail.mailboxFile(event.params.id, user.id));
	if (!raw) notFound();
	return new Response(new Uint8Array(raw), {
		headers: { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${event.params.id}.eml"`, 'cache-control': 'private, no-store' }
	});
};
