/**
 * The sponsor's email: an update a coachee approved, in the words they
 * approved. Built at send time from the approved row; a row that is not
 * approved (it cannot be, but a bug must not leak a draft) is never sent.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, EngagementKind, MailJobRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export function registerSponsorMail(
	mail: Pick<MailQueue, 'register'>,
	deps: {
		db: Kysely<Database>;
		origin: string | undefined;
		engagement(id: string): Promise<{ title: string; kind: EngagementKind } | null>;
		isSponsor(engagementId: string, userId: string): Promise<boolean>;
	}
): void {
	mail.register('sponsor_update', async (job: MailJobRow): Promise<Mail.Options> => {
		const u = await deps.db.selectFrom('sponsor_updates').selectAll().where('id', '=', job.subject_id).executeTakeFirst();
		if (!u || u.status !== 'approved' || u.final_text === null) throw permanent('This update is not approved for the sponsor.');
		if (!(await deps.isSponsor(u.engagement_id, job.user_id))) throw permanent('The recipient no longer sponsors this engagement.');
		const e = await deps.engagement(u.engagement_id);
		const link = deps.origin ? `${deps.origin}/sponsor/${u.engagement_id}` : null;
		return {
			subject: `Update on ${e?.kind ?? 'coaching'}: ${e?.title ?? 'an engagement you sponsor'}`,
			text: `${u.final_text}\n\n${link ? `All updates and the sessions so far: ${link}\n` : ''}`
		};
	});
}
