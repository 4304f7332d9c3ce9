import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { summaries } = services();
	const messages = await summaries.outbox(user.id);
	return {
		local: summaries.mailTransport === 'outbox',
		messages: messages.map((m) => ({
			id: m.id,
			to: `${m.to_name} <${m.to_address}>`,
			mine: m.user_id === user.id,
			subject: m.subject,
			status: m.status,
			at: m.sent_at ?? m.created_at,
			file: m.outbox_file !== null,
			summaryId: m.summaryId,
			error: m.last_error,
			preview: m.preview
		}))
	};
};
