/**
 * The durable mail queue. A message to send is a row in `mail_jobs`, written
 * in the same transaction as the thing it announces; the queue sends due rows
 * a few at a time, retries transient failures with exponential backoff, and
 * records a final failure with a reason the coach can read.
 *
 * Several instances may run the queue on one PostgreSQL database: a row being
 * sent carries a lease (`lease_owner`, `lease_until`), claimed with
 * `FOR UPDATE SKIP LOCKED` (a guarded update on SQLite, which has one writer),
 * so each message has one sender at a time. A row whose sender died is taken
 * again once its lease runs out, by any instance (at least once: its
 * Message-ID, stored when it was queued, stays the same, so the receiving
 * server and mail clients see a resend as the same message). Alone (SQLite,
 * or no cluster), start() takes back every row left `sending` at once, as
 * nobody else can be sending it.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, Dialect, MailJobRow } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { describeFailure, isPermanent, type MailTransport } from './transport.ts';
import { leaseOwner } from '../scheduler/owner.ts';
import { claimDue, type Claimed } from './claims.ts';

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
	/** Starts sending; rows left `sending` by this instance's earlier life (alone: by anyone) are due again. */
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

export interface QueueDeps {
	db: Kysely<Database>;
	log: Logger;
	transport: MailTransport;
	from: string;
	/** Holder of this queue's leases (server/scheduler/owner.ts); a per-process id when not given. */
	owner?: string;
	/** True when no other instance can be sending (the default): start() takes back every `sending` row. */
	alone?: boolean;
	/** SKIP LOCKED claims on PostgreSQL; guarded updates otherwise. */
	dialect?: Pick<Dialect, 'kind'>;
}

export function createMailQueue(deps: QueueDeps): MailQueue {
	const { db, transport } = deps;
	const owner = deps.owner ?? leaseOwner(null);
	const alone = deps.alone ?? true;
	const log = deps.log.child({ feature: 'mail', transport: transport.kind });
	const composers = new Map<MailKind, Composer>();
	const domain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? 'confidante.local';
	const inFlight = new Set<Promise<void>>();
	const sendingIds = new Set<string>();
	let timer: ReturnType<typeof setTimeout> | null = null;
	let draining = false;
	let again = false;
	let closed = false;
	let started = false;
	let ready: ((userIds: string[]) => Promise<Set<string>>) | null = null;

	/** Ends our claim on a row; a row another instance took over meanwhile (our lease ran out) is theirs to finish. */
	async function update(id: string, patch: Partial<MailJobRow>) {
		await db.updateTable('mail_jobs').set({ ...patch, lease_owner: null, lease_until: null }).where('id', '=', id).where('status', '=', 'sending').where('lease_owner', '=', owner).execute();
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
				// The Message-ID stored at enqueue: the same on every attempt and every instance.
				{ ...message, from: deps.from, to: { name: job.to_name, address: job.to_address }, messageId: job.message_id },
				job.id
			);
			// Not fenced by the lease: once sent, it is sent, whoever holds the row now.
			const recorded = await db
				.updateTable('mail_jobs')
				.set({ status: 'sent', sent_at: Date.now(), last_error: null, outbox_file: sent.outboxFile, lease_owner: null, lease_until: null, ...recordOf(message) })
				.where('id', '=', job.id)
				.executeTakeFirst();
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
		const free = limits.mail.concurrency - inFlight.size;
		if (free <= 0) return;
		const due = await claimDue({ db, dialect: deps.dialect?.kind ?? 'sqlite', owner, free });
		const waiting = ready ? due.filter((j) => j.kind !== 'account') : [];
		const confirmed = ready && waiting.length > 0 ? await ready([...new Set(waiting.map((j) => j.user_id))]) : null;
		for (const job of due) {
			if (confirmed && job.kind !== 'account' && !confirmed.has(job.user_id)) {
				// Claimed (attempt counted) but not tried: the attempt is given back.
				await update(job.id, { status: 'held', last_error: null, attempts: job.attempts - 1 });
				log.info({ job: job.id, kind: job.kind }, 'mail held until the recipient confirms their address');
				again = true;
				continue;
			}
			startSending(job);
		}
	}

	function startSending(job: Claimed) {
		// Our own send outlived its lease and we took the row again: the claim just renewed it; one send is enough.
		if (sendingIds.has(job.id)) return;
		sendingIds.add(job.id);
		const p = sendOne(job).finally(() => {
			inFlight.delete(p);
			sendingIds.delete(job.id);
			kick();
		});
		inFlight.add(p);
	}

	async function scheduleNext() {
		if (closed) return;
		const next = await db.selectFrom('mail_jobs').select((e) => e.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
		// Another instance's lease running out makes its row due here too.
		const lease = await db.selectFrom('mail_jobs').select((e) => e.fn.min('lease_until').as('at')).where('status', '=', 'sending').executeTakeFirst();
		const times = [next?.at, lease?.at].filter((v) => v !== null && v !== undefined).map(Number);
		const at = times.length ? Math.min(...times) : null;
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
		/** Starts sending; rows left `sending` by this instance before a restart (alone: by anyone) are due again. */
		async start() {
			// Others' leases are left to run out: those instances may be sending right now.
			let q = db.updateTable('mail_jobs').set({ status: 'pending', next_attempt_at: Date.now(), lease_owner: null, lease_until: null }).where('status', '=', 'sending');
			if (!alone) q = q.where('lease_owner', '=', owner);
			const r = await q.executeTakeFirst();
			if (Number(r.numUpdatedRows) > 0) log.info({ rows: Number(r.numUpdatedRows), alone }, 'mail left sending by an earlier start is due again');
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
			// In-flight sends get a moment; anything cut off stays `sending` until its lease runs out (or the next start, alone).
			await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 1000).unref())]);
			transport.close();
		}
	};
}
