import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [report, closing] = await Promise.all([services().closing.report(event.params.id, user.id), services().closing.view(event.params.id, user.id)]);
	if (!report || !closing) notFound();
	return { report, sentAt: closing.reportSentAt, state: closing.state };
};
