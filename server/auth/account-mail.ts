/**
 * Account emails (finish signing up, someone tried to sign up with your
 * address, confirm your address, reset your password) through the durable
 * mail queue. A message carrying a link is kept in memory only, never in
 * the database: a link is as good as a password, so if the server restarts
 * before it is sent, the job fails and the person asks for a new one.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { MailQueue } from '../mail/index.ts';
import type { Database } from '../store/index.ts';
import { newId } from './tokens.ts';

export interface AccountMessage {
	subject: string;
	text: string;
}

export interface AccountMailer {
	send(to: { userId: string | null; name: string; address: string }, message: AccountMessage, keepMs: number): Promise<void>;
}

export function accountMailer(db: Kysely<Database>, mail: MailQueue | undefined): AccountMailer {
	const pending = new Map<string, { message: Mail.Options; until: number }>();
	mail?.register('account', async (job) => {
		const held = pending.get(job.subject_id);
		if (!held || held.until < Date.now()) {
			throw Object.assign(new Error('The link in this message expired or the server restarted before it was sent; ask for a new one.'), { code: 'EMESSAGE' });
		}
		return held.message;
	});
	return {
		async send(to, message, keepMs) {
			const now = Date.now();
			for (const [k, v] of pending) if (v.until < now) pending.delete(k);
			if (!mail) return;
			const id = newId();
			// The header lets mail filters (and the test mailbox) tell account mail from coaching mail.
			pending.set(id, { message: { subject: message.subject, text: message.text, headers: { 'X-Confidante-Mail': 'account' } }, until: now + keepMs });
			await mail.enqueue(db, [{ kind: 'account', subjectId: id, userId: to.userId ?? '', toName: to.name, toAddress: to.address }]);
			mail.kick();
		}
	};
}
