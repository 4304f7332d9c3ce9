import { services } from '$lib/server/services.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

/** A subject for a message not sent yet (its text is made when it is sent). */
const PENDING_SUBJECT: Record<string, string> = {
	contract_review: 'Contract to review and accept',
	contract_in_force: 'Contract in force',
	sponsor_update: 'Update for the sponsor',
	scoping_link: 'Scoping questions',
	proposal_invite: 'Invitation to join',
	proposal_decline: 'Reply to your request'
};

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { summaries, mail } = services();
	// Summaries come with the copy each recipient received (a coach also sees those about their engagements);
	// every other email, whatever feature sent it, only in the mailbox of the person it is addressed to.
	const [summaryMails, others] = await Promise.all([summaries.outbox(user.id), mail.mailbox(user.id, ['summary'])]);
	const messages = [
		...summaryMails.map((m) => ({
			id: m.id,
			to: `${m.to_name} <${m.to_address}>`,
			mine: m.user_id === user.id,
			subject: m.subject,
			status: m.status,
			at: m.sent_at ?? m.created_at,
			file: m.outbox_file !== null,
			summaryId: m.summaryId as string | null,
			error: m.last_error,
			preview: m.preview
		})),
		...others.map((m) => ({
			id: m.id,
			to: `${m.to_name} <${m.to_address}>`,
			mine: true,
			subject: m.subject ?? `${PENDING_SUBJECT[m.kind] ?? 'Message'} (not sent yet)`,
			status: m.status,
			at: m.sent_at ?? m.created_at,
			file: m.outbox_file !== null,
			summaryId: null,
			error: m.last_error,
			preview: m.preview ?? ''
		}))
	].sort((a, b) => b.at - a.at);
	return { local: summaries.mailTransport === 'outbox', messages };
};
