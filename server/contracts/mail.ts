/**
 * The contract's emails: "please review and accept" when a version is sent,
 * "in force" once everyone has accepted. Each is a row in the mail queue
 * written in the same transaction as the change it announces, so a crash
 * between the two sends it once, never zero times or twice (the queue keeps
 * one row per kind, version and person).
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { contractMarkdown, type ContractHeading } from './document.ts';
import { contractPdfOffThread } from './pdf-thread.ts';
import { findVersionById, type ContractVersion } from './store.ts';

export type ContractMailKind = 'contract_review' | 'contract_in_force';

export interface ContractMailDeps {
	db: Kysely<Database>;
	origin: string | undefined;
	engagement(engagementId: string): Promise<{ title: string; kind: 'coaching' | 'mentoring'; people: { userId: string; name: string }[] } | null>;
}

/** The heading of a version's document: the engagement and each required party's acceptance. */
export function headingOf(v: ContractVersion, e: { title: string; kind: 'coaching' | 'mentoring'; people: { userId: string; name: string }[] }): ContractHeading {
	const names = new Map(e.people.map((p) => [p.userId, p.name]));
	return {
		engagementTitle: e.title,
		kind: e.kind,
		parties: v.required.map((userId) => {
			const a = v.acceptances.find((x) => x.userId === userId);
			return { name: names.get(userId) ?? 'A former participant', acceptedAt: a?.acceptedAt ?? null, typedName: a?.typedName ?? null };
		})
	};
}

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

function composer(kind: ContractMailKind, deps: ContractMailDeps) {
	return async (job: MailJobRow): Promise<Mail.Options> => {
		const v = await findVersionById(deps.db, job.subject_id);
		if (!v) throw permanent('The contract this email is about no longer exists.');
		const e = await deps.engagement(v.engagementId);
		if (!e || !e.people.some((p) => p.userId === job.user_id)) throw permanent('The recipient is no longer part of this engagement.');
		const h = headingOf(v, e);
		const link = deps.origin ? `${deps.origin}/engagements/${v.engagementId}/contract` : null;
		const markdown = contractMarkdown(v, h);
		const intro =
			kind === 'contract_review'
				? `Version ${v.version} of the ${h.kind} contract for "${h.engagementTitle}" is ready. Please read it and accept it in Confidante: tick each key clause and type your full name.`
				: `Everyone has accepted version ${v.version} of the ${h.kind} contract for "${h.engagementTitle}": it is now in force.`;
		const file = `contract-v${v.version}`;
		return {
			subject: kind === 'contract_review' ? `Please review and accept: ${h.engagementTitle}, contract v${v.version}` : `In force: ${h.engagementTitle}, contract v${v.version}`,
			text: `${intro}\n\n${link ? `Open it: ${link}\n\n` : ''}${markdown}`,
			attachments: [
				{ filename: `${file}.md`, content: markdown, contentType: 'text/markdown; charset=utf-8' },
				{ filename: `${file}.pdf`, content: await contractPdfOffThread(v, h), contentType: 'application/pdf' }
			]
		};
	};
}

export function registerContractMail(mail: Pick<MailQueue, 'register'>, deps: ContractMailDeps): void {
	mail.register('contract_review', composer('contract_review', deps));
	mail.register('contract_in_force', composer('contract_in_force', deps));
}
