/**
 * Outgoing mail. Offers:
 * - `createMail(config, db, log)`: the durable queue (`enqueue` inside a
 *   transaction, `kick`, `statusOf`, `retry`, `register` a composer per kind),
 *   sending over SMTP when SMTP_URL is set and writing `.eml` files to
 *   DATA_DIR/outbox when it is not;
 * - `readOutbox(name)` for the local mailbox page.
 */
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database } from '../store/index.ts';
import { createMailQueue, type MailQueue } from './queue.ts';
import { outboxTransport, readOutboxFile, smtpTransport } from './transport.ts';

export type { MailQueue } from './queue.ts';


const outboxDir = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'outbox');

/** Outgoing mail as other features use it; this folder owns the `mail_jobs` table. */
export interface MailService extends MailQueue {
	/** A message file of the local outbox, or null when there is none by that name. */
	readOutbox(name: string): Buffer | null;
}

export function createMail(config: Config, db: Kysely<Database>, log: Logger): MailService {
	const transport = config.smtpUrl ? smtpTransport(config.smtpUrl, config.smtpTimeoutMs) : outboxTransport(outboxDir(config));
	const queue = createMailQueue({ db, log, transport, from: config.mailFrom });
	return { ...queue, readOutbox: (name: string) => readOutboxFile(outboxDir(config), name) };
}
