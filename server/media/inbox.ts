/**
 * Messages between instances for media, over Redis streams: each instance
 * reads its own stream `media:inbox:<instanceId>` (a key, so it stays inside
 * the Redis database of REDIS_URL) and writes to the others'. Offers
 * `send` (fire and forget: a push to a socket, a room event) and `request`
 * (an op forwarded to the session's owner, answered on the asker's stream,
 * with a timeout). Every message read is schema-checked: another instance is
 * trusted to have checked the client, not to be bug-free.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { fail, type Result } from '../../shared/result.ts';

const inboxKey = (instanceId: string) => `media:inbox:${instanceId}`;

const caller = z.object({ userId: z.string().max(64), socketId: z.string().max(64), instanceId: z.string().max(64) });
export const envelope = z.discriminatedUnion('t', [
	z.object({ t: z.literal('req'), id: z.string(), from: z.string(), op: z.string(), caller, payload: z.unknown() }),
	z.object({ t: z.literal('res'), id: z.string(), answer: z.unknown(), moved: z.boolean().optional() }),
	z.object({ t: z.literal('notify'), socketId: z.string(), event: z.string(), args: z.array(z.unknown()) }),
	z.object({ t: z.literal('event'), kind: z.enum(['socketClosed', 'gone', 'empty']), sessionId: z.string(), userId: z.string(), socketId: z.string(), from: z.string() })
]);
export type Envelope = z.infer<typeof envelope>;
export type Request = Extract<Envelope, { t: 'req' }>;
/** What an owner answers: the op's result, or "not mine" (the lease moved). */
export type Reply = { answer: Result<unknown>; moved?: boolean };

interface InboxDeps {
	instanceId: string;
	/** For writes. */
	redis: Redis;
	/** Its own connection: XREAD BLOCK holds it. */
	reader: Redis;
	log: Logger;
	/** A request from another instance; its reply goes back to the sender. */
	onRequest(req: Request): Promise<Reply>;
	onMessage(msg: Exclude<Envelope, { t: 'req' } | { t: 'res' }>): void;
}

const timedOut = fail('unavailable', 'The server hosting this call did not answer in time; reconnecting video.');

export class MediaInbox {
	private readonly pending = new Map<string, { resolve: (r: Reply) => void; timer: NodeJS.Timeout }>();
	private stopped = false;
	private loop: Promise<void> | null = null;

	private readonly deps: InboxDeps;

	constructor(deps: InboxDeps) {
		this.deps = deps;
	}

	start(): void {
		this.loop ??= this.read();
	}

	async send(to: string, msg: Envelope): Promise<void> {
		const key = inboxKey(to);
		// Bounded and short-lived: an inbox nobody reads (a dead instance) goes away by itself.
		await this.deps.redis
			.multi()
			.xadd(key, 'MAXLEN', '~', String(limits.clusterMedia.inboxMaxLength), '*', 'm', JSON.stringify(msg))
			.pexpire(key, limits.clusterMedia.inboxTtlMs)
			.exec();
	}

	/** Sends an op to the owner and waits for its answer (or a timeout, answered `unavailable`). */
	request(to: string, body: Omit<Request, 't' | 'id' | 'from'>): Promise<Reply> {
		const id = randomBytes(8).toString('hex');
		return new Promise<Reply>((resolve) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				this.deps.log.warn({ to, op: body.op }, 'media request to the owner instance timed out');
				resolve({ answer: timedOut });
			}, limits.clusterMedia.forwardTimeoutMs);
			this.pending.set(id, { resolve, timer });
			this.send(to, { t: 'req', id, from: this.deps.instanceId, ...body }).catch((err: unknown) => {
				clearTimeout(timer);
				this.pending.delete(id);
				this.deps.log.warn({ err, to, op: body.op }, 'media request not sent: Redis unavailable');
				resolve({ answer: fail('unavailable', 'Video signalling is unavailable for a moment; reconnecting by itself.') });
			});
		});
	}

	private async read(): Promise<void> {
		const { reader, log } = this.deps;
		const key = inboxKey(this.deps.instanceId);
		// From what is there now: a restarted instance with the same id does not replay its old messages.
		let last = '$';
		while (!this.stopped) {
			try {
				if (last === '$') last = (await reader.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
				const got = await reader.xread('COUNT', 200, 'BLOCK', limits.clusterMedia.inboxBlockMs, 'STREAMS', key, last);
				for (const [, entries] of got ?? []) {
					for (const [id, fields] of entries) {
						last = id;
						this.take(fields[1]);
					}
				}
			} catch (err) {
				if (this.stopped) break;
				log.warn({ err }, 'media inbox read failed; retrying');
				await new Promise((r) => setTimeout(r, limits.clusterMedia.inboxRetryMs));
			}
		}
	}

	private take(raw: string | undefined): void {
		let parsed: Envelope;
		try {
			parsed = envelope.parse(JSON.parse(raw ?? ''));
		} catch (err) {
			this.deps.log.warn({ err }, 'malformed media inbox message dropped');
			return;
		}
		const msg = parsed;
		if (msg.t === 'res') {
			const waiting = this.pending.get(msg.id);
			if (!waiting) return; // Timed out already.
			clearTimeout(waiting.timer);
			this.pending.delete(msg.id);
			waiting.resolve({ answer: msg.answer as Result<unknown>, moved: msg.moved });
			return;
		}
		if (msg.t === 'req') {
			void this.deps
				.onRequest(msg)
				.catch((err: unknown): Reply => {
					this.deps.log.error({ err, op: msg.op, from: msg.from }, 'forwarded media request failed');
					return { answer: fail('internal', 'Something went wrong on our side; please try again.') };
				})
				.then((reply) => this.send(msg.from, { t: 'res', id: msg.id, ...reply }))
				.catch((err: unknown) => this.deps.log.warn({ err, to: msg.from }, 'media answer not sent: Redis unavailable'));
			return;
		}
		this.deps.onMessage(msg);
	}

	async close(): Promise<void> {
		this.stopped = true;
		for (const [, p] of this.pending) {
			clearTimeout(p.timer);
			p.resolve({ answer: fail('unavailable', 'This server is stopping; reconnecting video.') });
		}
		this.pending.clear();
		this.deps.reader.disconnect();
		await this.loop;
	}
}
