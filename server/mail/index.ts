/**
 * Outgoing mail. Offers:
 * - `createMail(config, db, log)`: the durable queue (`enqueue` inside a
 *   transaction, `kick`, `statusOf`, `retry`, `register` a composer per kind),
 *   sending over SMTP when SMTP_URL is set and writing `.eml` files to
 *   DATA_DIR/outbox when it is not;
 * - `readOutbox(name)` for the local mailbox page;
 * - `mailbox(userId)` and `mailboxFile(jobId, userId)`: every message
 *   addressed to one person, whatever feature sent it, for their Mailbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database } from '../store/index.ts';
import { limits } from '../config/index.ts';
import type { MailJobRow } from '../store/index.ts';
import { createMailQueue, type MailKind, type MailQueue } from './queue.ts';
import { isOutboxName, outboxTransport, readOutboxFile, smtpTransport } from './transport.ts';
import { leaseOwner } from '../scheduler/owner.ts';

export type { MailQueue, MailKind, NewMail } from './queue.ts';

/** A message as its recipient's Mailbox lists it. */
export type MailboxEntry = Pick<MailJobRow, 'id' | 'kind' | 'to_name' | 'to_address' | 'user_id' | 'status' | 'sent_at' | 'created_at' | 'outbox_file' | 'last_error' | 'subject' | 'preview'>;

const outboxDir = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'outbox');

/** Outgoing mail as other features use it; this folder owns the `mail_jobs` table. */
export interface MailService extends MailQueue {
	/** A message file of the local outbox, or null when there is none by that name. */
	readOutbox(name: string): Buffer | null;
	/** Messages addressed to this person (newest first), except the kinds named; another person's never. */
	mailbox(userId: string, except?: readonly MailKind[]): Promise<MailboxEntry[]>;
	/** The raw .eml of a message addressed to this person, or null. */
	mailboxFile(jobId: string, userId: string): Promise<Buffer | null>;
	/** Deletes these message files of the local outbox (their jobs were erased, server/yourdata). */
	removeOutbox(names: readonly string[]): void;
}

export function createMail(config: Config, db: Kysely<Database>, log: Logger): MailService {
	const transport = config.smtpUrl ? smtpTransport(config.smtpUrl, config.smtpTimeoutMs) : outboxTransport(outboxDir(config));
	// With several instances, each holds its own leases; alone, a start takes back whatever an earlier run left sending.
	const queue = createMailQueue({
		db, log, transport, from: config.mailFrom,
		owner: leaseOwner(config.cluster), alone: !config.cluster, dialect: { kind: config.databaseUrl ? 'postgres' : 'sqlite' }
	});
	const readOutbox = (name: string) => readOutboxFile(outboxDir(config), name);
	return {
		...queue,
		readOutbox,
		async mailbox(userId, except = []) {
			let q = db
				.selectFrom('mail_jobs')
				.select(['id', 'kind', 'to_name', 'to_address', 'user_id', 'status', 'sent_at', 'created_at', 'outbox_file', 'last_error', 'subject', 'preview'])
				.where('user_id', '=', userId);
			if (except.length) q = q.where('kind', 'not in', [...except]);
			return q.orderBy('created_at', 'desc').limit(limits.mail.mailboxShown).execute();
		},
		async mailboxFile(jobId, userId) {
			const job = await queue.job(jobId);
			return job && job.user_id === userId && job.outbox_file ? readOutbox(job.outbox_file) : null;
		},
		removeOutbox(names) {
			for (const name of names) if (isOutboxName(name)) fs.rmSync(path.join(outboxDir(config), name), { force: true });
		}
	};
}
