/**
 * Scoping's emails, each built at send time from the proposal as it then is:
 * - `scoping_link`: the questions' link for the prospect or sponsor; a fresh
 *   link is made for each message (only its hash is stored), and none once
 *   the proposal is answered or decided;
 * - `proposal_invite`: the work was taken on; a fresh invite to join the
 *   engagement as coachee (the engagements feature's invite);
 * - `proposal_decline`: the coach's courteous decline, in the words they sent.
 * Recipients have no account yet, so a job's user is `prospect` or `sponsor`.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow } from '../store/index.ts';
import type { MailQueue, NewMail } from '../mail/index.ts';
import { createLink } from './links.ts';
import { findProposal, type Proposal } from './store.ts';

export type Recipient = 'prospect' | 'sponsor';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export function mailTo(p: Proposal, kind: NewMail['kind'], who: Recipient[]): NewMail[] {
	return who.flatMap((w) => {
		const person = w === 'prospect' ? p.prospect : p.sponsor;
		return person.email ? [{ kind, subjectId: p.id, userId: w, toName: person.name, toAddress: person.email }] : [];
	});
}

export interface ProposalMailDeps {
	db: Kysely<Database>;
	origin: string | undefined;
	coachName(coachId: string): Promise<string>;
	createInvite(engagementId: string, coachId: string): Promise<{ token: string } | null>;
	now(): number;
}

export function registerProposalMail(mail: Pick<MailQueue, 'register'>, deps: ProposalMailDeps): void {
	const proposalOf = async (job: MailJobRow) => {
		const p = await findProposal(deps.db, job.subject_id);
		if (!p) throw permanent('The proposal this email is about no longer exists.');
		return { p, origin: deps.origin ?? p.origin, coach: await deps.coachName(p.coachId), work: p.kind === 'mentoring' ? 'mentoring' : 'coaching' };
	};

	mail.register('scoping_link', async (job): Promise<Mail.Options> => {
		const { p, origin, coach, work } = await proposalOf(job);
		if (p.status !== 'open') throw permanent('The proposal was answered or decided meanwhile; no new link was sent.');
		const { token } = await createLink(deps.db, p.id, deps.now());
		return {
			subject: `${coach} asks a few questions before ${work}: ${p.title}`,
			text: [
				`Hello ${job.to_name},`,
				'',
				`${coach} would like to understand what you are looking for before agreeing to ${work} ("${p.title}").`,
				'',
				`What is asked for: ${p.request}`,
				'',
				`Please answer a few questions here (no account needed; the link works for two weeks, for one set of answers):`,
				`${origin}/scoping/${token}`,
				'',
				`${coach} will read your answers and let you know whether they can take the work on.`
			].join('\n')
		};
	});

	mail.register('proposal_invite', async (job): Promise<Mail.Options> => {
		const { p, origin, coach, work } = await proposalOf(job);
		if (p.status !== 'taken' || !p.engagementId) throw permanent('The proposal is not taken on; no invite was sent.');
		const invite = await deps.createInvite(p.engagementId, p.coachId);
		if (!invite) throw permanent('The engagement could not make an invite (the coach is no longer part of it).');
		return {
			subject: `${coach} takes on your ${work}: ${p.title}`,
			text: [
				`Hello ${job.to_name},`,
				'',
				`Thank you for answering the scoping questions. ${coach} is glad to take on the ${work} "${p.title}".`,
				'',
				`Join the engagement here (create an account or sign in; the link works once, for 7 days):`,
				`${origin}/invite/${invite.token}`,
				'',
				`Next, ${coach} will draft your contract (goals, boundaries, confidentiality, the plan) for you both to review and accept.`
			].join('\n')
		};
	});

	mail.register('proposal_decline', async (job): Promise<Mail.Options> => {
		const { p, work } = await proposalOf(job);
		if (p.status !== 'declined' || !p.declineMessage) throw permanent('The proposal is not declined; nothing was sent.');
		return { subject: `Your request for ${work}: ${p.title}`, text: p.declineMessage };
	});
}
