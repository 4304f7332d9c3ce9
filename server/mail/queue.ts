/**
 * The durable mail queue. A message to send is a row in `mail_jobs`, written
 * in the same transaction as the thing it announces; the queue sends due rows
 * a few at a time, retries transient failures with exponential backoff, and
 * records a final failure with a reason the coach can read. A row claimed by
 * a process that then died is sent again at the next start (at least once;
 * the Message-ID stays the same, so mail clients can tell it is the same
 * message).
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, MailJobRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { describeFailure, isPermanent, type MailTransport } from './transport.ts';

export type MailKind = MailJobRow['kind'];

/** Builds the message for a job at send time, from the record it refers to. */
export type Composer = (job: MailJobRow) => Promise<Mail.Options>;

export interface NewMail {
	kind: MailKind;
	subjectId: string;
	userId: string;
	toName: string;
	toAddress: string;
}

/** The queue as the rest of the server uses it. */
export interface MailQueue {
	transport: MailTransport['kind'];
	/** The composer that builds messages of one kind at send time. */
	register(kind: MailKind, compose: Composer): void;
	/** Queues messages inside the caller's transaction; `kick()` after it commits. */
	enqueue(trx: Transaction<Database> | Kysely<Database>, mails: NewMail[]): Promise<void>;
	kick(): void;
	/** Starts sending; rows left `sending` by a process that died are due again. */
	start(): Promise<void>;
	/** Delivery status of the messages about some records (e.g. a summary's versions), oldest first. */
	statusOf(subjectIds: string[]): Promise<MailJobRow[]>;
	job(jobId: string): Promise<MailJobRow | null>;
	/** A failed message is tried again now (the coach's "Send again"); false when it had not failed. */
	retry(jobId: string): Promise<boolean>;
	/**
	 * Mail to a person waits (`held`) until `ready` says their address is
	 * confirmed; `account` mail (the confirmation link itself, resets) never waits.
	 */
	holdUnless(ready: (userIds: string[]) => Promise<Set<string>>): void;
	/** A person confirmed their address: what waited for them is sent now. */
	release(userId: string): Promise<number>;
	close(): Promise<void>;
}

const address = z.email();

/** What a sent message said, kept for the Mailbox (its text cut at `limits.mail.previewChars`). */
function recordOf(message: Mail.Options): { subject: string | null; preview: string | null } {
	const text = typeof message.text === 'string' ? message.text : Buffer.isBuffer(message.text) ? message.text.toString('utf8') : null;
	const max = limits.mail.previewChars;
	return { subject: message.subject ?? null, preview: text === null ? null : text.length > max ? `${text.slice(0, max)}\n…` : text };
}

export function backoffMs(attempts: number): number {
	return Math.min(limits.mail.retryMaxMs, limits.mail.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

export function createMailQueue(deps: { db: Kysely<Database>; log: Logger; transport: MailTransport; from: string }): MailQueue {
	const { db, transport } = deps;
	const log = deps.log.child({ feature: 'mail', transport: transport.kind });
	const composers = new Map<MailKind, Composer>();
	const domain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? 'confidante.local';
	const inFlight = new Set<Promise<void>>();
	let timer: ReturnType<typeof setTimeout> | null = null;
	let draining = false;
	let again = false;
	let closed = false;
	let started = false;
	let ready: ((userIds: string[]) => Promise<Set<string>>) | null = null;

	async function update(id: string, patch: Partial<MailJobRow>) {
		await db.updateTable('mail_jobs').set(patch).where('id', '=', id).execute();
	}

	async function sendOne(job: MailJobRow) {
		const attempt = job.attempts;
		try {
			if (!address.safeParse(job.to_address).success) {
				await update(job.id, { status: 'failed', last_error: `"${job.to_address}" is not a valid email address; correct it in the account and send again.` });
				log.warn({ job: job.id, kind: job.kind }, 'invalid recipient address; not sent');
				return;
			}
			const compose = composers.get(job.kind);
			if (!compose) throw new Error(`no composer for ${job.kind} mail`);
			const message = await compose(job);
			const sent = await transport.send(
				{ ...message, from: deps.from, to: { name: job.to_name, address: job.to_address }, messageId: `<${job.id}@${domain}>` },
				job.id
			);
			const recorded = await db.updateTable('mail_jobs').set({ status: 'sent', sent_at: Date.now(), last_error: null, outbox_file: sent.outboxFile, ...recordOf(message) }).where('id', '=', job.id).executeTakeFirst();
			// Erased while it was being sent (server/yourdata): the local copy goes too.
			if (Number(recorded.numUpdatedRows) === 0 && sent.outboxFile) {
				transport.discard(sent.outboxFile);
				log.info({ job: job.id, kind: job.kind }, 'mail erased while it was being sent; its outbox copy removed');
				return;
			}
			log.info({ job: job.id, kind: job.kind, subject: job.subject_id, attempt }, 'mail sent');
		} catch (err) {
			const reason = describeFailure(err);
			const final = isPermanent(err) || attempt >= limits.mail.maxAttempts;
			await update(job.id, final ? { status: 'failed', last_error: reason } : { status: 'pending', last_error: reason, next_attempt_at: Date.now() + backoffMs(attempt) });
			log.warn({ err, job: job.id, kind: job.kind, attempt, final }, final ? 'mail failed for good' : 'mail failed; will retry');
		}
	}

	async function drainOnce(): Promise<void> {
		const now = Date.now();
		const free = limits.mail.concurrency - inFlight.size;
		if (free <= 0) return;
		const due = await db
			.selectFrom('mail_jobs')
			.selectAll()
			.where('status', '=', 'pending')
			.where('next_attempt_at', '<=', now)
			.orderBy('next_attempt_at')
			.limit(free)
			.execute();
		const waiting = ready ? due.filter((j) => j.kind !== 'account') : [];
		const confirmed = ready && waiting.length > 0 ? await ready([...new Set(waiting.map((j) => j.user_id))]) : null;
		for (const job of due) {
			if (confirmed && job.kind !== 'account' && !confirmed.has(job.user_id)) {
				await db.updateTable('mail_jobs').set({ status: 'held', last_error: null }).where('id', '=', job.id).where('status', '=', 'pending').execute();
				log.info({ job: job.id, kind: job.kind }, 'mail held until the recipient confirms their address');
				again = true;
				continue;
			}
			// The guarded claim keeps one sender per row even if drains overlap.
			const claimed = await db
				.updateTable('mail_jobs')
				.set({ status: 'sending', attempts: job.attempts + 1 })
				.where('id', '=', job.id)
				.where('status', '=', 'pending')
				.executeTakeFirst();
			if (Number(claimed.numUpdatedRows) !== 1) continue;
			const p = sendOne({ ...job, status: 'sending', attempts: job.attempts + 1 }).finally(() => {
				inFlight.delete(p);
				kick();
			});
			inFlight.add(p);
		}
	}

	async function scheduleNext() {
		if (closed) return;
		const next = await db.selectFrom('mail_jobs').select((e) => e.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
		const at = next?.at === null || next?.at === undefined ? null : Number(next.at);
		const wait = Math.max(0, Math.min(limits.mail.pollMs, at === null ? limits.mail.pollMs : at - Date.now()));
		if (timer) clearTimeout(timer);
		timer = setTimeout(kick, wait);
		timer.unref();
	}

	function kick() {
		if (closed || !started) return;
		if (draining) {
			again = true;
			return;
		}
		draining = true;
		void (async () => {
			try {
				do {
					again = false;
					await drainOnce();
				} while (again && !closed);
				await scheduleNext();
			} catch (err) {
				log.error({ err }, 'mail queue failed to read its jobs; trying again shortly');
				if (!closed) {
					timer = setTimeout(kick, limits.mail.pollMs);
					timer.unref();
				}
			} finally {
				draining = false;
			}
		})();
	}

	return {
		transport: transport.kind,
		register(kind, compose) {
			composers.set(kind, compose);
		},
		/** Queues messages inside the caller's transaction; `kick()` after it commits. */
		async enqueue(trx, mails) {
			const now = Date.now();
			for (const m of mails) {
				const id = newId();
				await trx
					.insertInto('mail_jobs')
					.values({
						id,
						kind: m.kind,
						subject_id: m.subjectId,
						user_id: m.userId,
						to_name: m.toName,
						to_address: m.toAddress,
						status: 'pending',
						attempts: 0,
						next_attempt_at: now,
						last_error: null,
						message_id: `<${id}@${domain}>`,
						outbox_file: null,
						sent_at: null,
						created_at: now,
						subject: null,
						preview: null
					})
					.onConflict((oc) => oc.columns(['kind', 'subject_id', 'user_id']).doNothing())
					.execute();
			}
		},
		kick,
		/** Starts sending; rows left `sending` by a process that died are due again. */
		async start() {
			await db.updateTable('mail_jobs').set({ status: 'pending', next_attempt_at: Date.now() }).where('status', '=', 'sending').execute();
			started = true;
			kick();
		},
		/** Delivery status of the messages about some records (e.g. a summary's versions). */
		async statusOf(subjectIds) {
			if (subjectIds.length === 0) return [];
			return db.selectFrom('mail_jobs').selectAll().where('subject_id', 'in', subjectIds).orderBy('created_at').execute();
		},
		async job(jobId) {
			return (await db.selectFrom('mail_jobs').selectAll().where('id', '=', jobId).executeTakeFirst()) ?? null;
		},
		/** A failed message is tried again now (the coach's "Send again"). */
		async retry(jobId) {
			const r = await db
				.updateTable('mail_jobs')
				.set({ status: 'pending', attempts: 0, next_attempt_at: Date.now(), last_error: null })
				.where('id', '=', jobId)
				.where('status', '=', 'failed')
				.executeTakeFirst();
			kick();
			return Number(r.numUpdatedRows) === 1;
		},
		holdUnless(fn) {
			ready = fn;
		},
		async release(userId) {
			const r = await db.updateTable('mail_jobs').set({ status: 'pending', next_attempt_at: Date.now() }).where('user_id', '=', userId).where('status', '=', 'held').executeTakeFirst();
			kick();
			return Number(r.numUpdatedRows);
		},
		async close() {
			closed = true;
			if (timer) clearTimeout(timer);
			// In-flight sends get a moment; anything cut off is `sending` and resent at next start.
			await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 1000).unref())]);
			transport.close();
		}
	};
}
