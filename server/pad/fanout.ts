/**
 * Pad fan-out between instances (issue 16): after an update commits in
 * PostgreSQL, the instance that stored it adds it to the document's Redis
 * stream (`pad:<doc>`); every instance reads the streams of the documents it
 * has loaded (one blocking read for all of them, on a connection of its own)
 * and hands what the others stored to each document's feed, which applies it
 * in seq order and relays it to local peers. Redis carries nothing that
 * PostgreSQL lacks: on a gap, after Redis was away, or when a document with
 * peers heard nothing for a while, the feed reads the rows from the database.
 *
 * Awareness (cursors, names) is ephemeral and travels through Redis alone:
 * local peers' changes go on the same stream (field `a`), and each instance's
 * current local awareness of a document sits in a hash (`pad-aw:<doc>`,
 * field per instance) that an instance loading the document reads first.
 */
import type { Redis } from 'ioredis';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Cluster } from '../cluster/index.ts';
import { DocFeed, type FeedDoc } from './feed.ts';
import type { PadHeads } from './store/index.ts';

const streamKey = (doc: string) => `pad:${doc}`;
const docOfKey = (key: string) => key.slice('pad:'.length);
const seedKey = (doc: string) => `pad-aw:${doc}`;
/** The seed hash's field holding when an instance wrote its seed. */
const AT = '@';

/** A stream entry's fields (alternating names and values) by name. */
function fieldsOf(raw: Buffer[]): Map<string, Buffer> {
	const fields = new Map<string, Buffer>();
	for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i]!.toString(), raw[i + 1]!);
	return fields;
}

type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null;

export class PadFanout {
	private readonly feeds = new Map<string, DocFeed>();
	private readonly catching = new Map<string, Promise<void>>();
	private readonly cluster: Cluster;
	private readonly heads: PadHeads;
	private readonly log: Logger;
	private readonly reader: Redis;
	private readerId: number | null = null;
	private closed = false;
	/** Set while reading or writing Redis fails; cleared with a catch-up from the database. */
	private trouble = false;
	private wake: (() => void) | null = null;
	private readonly poller: NodeJS.Timeout;
	private readonly looping: Promise<void>;

	constructor(deps: { cluster: Cluster; heads: PadHeads; log: Logger }) {
		this.cluster = deps.cluster;
		this.heads = deps.heads;
		this.log = deps.log.child({ part: 'fanout' });
		this.reader = deps.cluster.connection('pad-fanout');
		// A reconnected reader has a new client id (used to interrupt its blocking read).
		this.reader.on('ready', () => {
			this.reader.client('ID').then((id) => (this.readerId = Number(id)), () => (this.readerId = null));
		});
		this.poller = setInterval(() => void this.poll(), limits.clusterPad.quietPollMs);
		this.poller.unref();
		this.looping = this.loop();
	}

	/** Starts following a loaded document (from the stream's current end; the database fills what came before). */
	watch(doc: FeedDoc): void {
		if (this.feeds.has(doc.name)) return;
		const feed = new DocFeed(doc, (f) => void this.catchUp(f), limits.clusterPad.gapWaitMs);
		this.feeds.set(doc.name, feed);
		void this.findTail(feed);
	}

	unwatch(name: string): void {
		this.feeds.get(name)?.stop();
		this.feeds.delete(name);
	}

	/** This instance stored `seq` of `doc` (committed): tell the others. */
	stored(doc: string, seq: number, update: Uint8Array): void {
		this.feeds.get(doc)?.own(seq);
		const data = Buffer.from(update.buffer, update.byteOffset, update.byteLength);
		this.publish(doc, ['s', String(seq), 'u', data], 'publishing a pad update');
	}

	/** Adds an entry to the document's stream, which expires once the document is quiet (its content is in PostgreSQL). */
	private publish(doc: string, fields: (string | Buffer)[], what: string) {
		const l = limits.clusterPad;
		this.cluster.redis
			.multi()
			.xadd(streamKey(doc), 'MAXLEN', '~', l.streamMaxLen, '*', 'i', this.cluster.instanceId, ...fields)
			.pexpire(streamKey(doc), l.streamTtlMs)
			.exec()
			.catch((err: unknown) => this.redisFailed(err, what));
	}

	/** Local peers' awareness of `doc` changed: tell the others, and keep this instance's current awareness for later loaders. */
	awareness(doc: string, changed: Uint8Array, current: Uint8Array | null): void {
		const l = limits.clusterPad;
		const id = this.cluster.instanceId;
		const tx = this.cluster.redis.multi().xadd(streamKey(doc), 'MAXLEN', '~', l.streamMaxLen, '*', 'i', id, 'a', Buffer.from(changed));
		tx.pexpire(streamKey(doc), l.streamTtlMs);
		if (current) tx.hset(seedKey(doc), id, Buffer.from(current), id + AT, String(Date.now())).pexpire(seedKey(doc), l.awarenessSeedTtlMs);
		else tx.hdel(seedKey(doc), id, id + AT);
		tx.exec().catch((err: unknown) => this.redisFailed(err, 'publishing pad awareness'));
	}

	/**
	 * The other instances' current awareness of a document being loaded, so a
	 * newcomer's first sync shows who is there; waits at most
	 * limits.clusterPad.awarenessSeedWaitMs (renewals bring it later otherwise).
	 */
	async seedAwareness(doc: FeedDoc): Promise<void> {
		const l = limits.clusterPad;
		const reading = this.cluster.redis.hgetallBuffer(seedKey(doc.name)).then(
			(seeds) => {
				for (const [field, value] of Object.entries(seeds)) {
					if (field.endsWith(AT) || field === this.cluster.instanceId) continue;
					// An instance that died leaves its seed until the key expires: too old means gone.
					const at = Number(seeds[field + AT]?.toString());
					if (!(Date.now() - at <= l.awarenessSeedMaxAgeMs)) continue;
					doc.applyRemoteAwareness(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), field);
				}
			},
			(err: unknown) => this.redisFailed(err, 'reading pad awareness')
		);
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([reading, new Promise<void>((resolve) => (timer = setTimeout(resolve, l.awarenessSeedWaitMs)))]);
		clearTimeout(timer);
	}

	/** The documents were sealed in the database: the others seal theirs now rather than at their next poll. */
	sealed(docs: readonly string[]): void {
		for (const doc of docs) this.publish(doc, ['sealed', '1'], 'publishing a sealed pad');
	}

	private async findTail(feed: DocFeed) {
		try {
			const last = await this.cluster.redis.xrevrange(streamKey(feed.doc.name), '+', '-', 'COUNT', 1);
			feed.lastId = last[0]?.[0] ?? '0-0';
		} catch (err) {
			// The poll tries again; meanwhile the database is the feed's only source.
			this.redisFailed(err, 'reading a pad stream');
			return;
		}
		this.interrupt();
		// Whatever was stored between the document's load and the tail read.
		await this.catchUp(feed);
	}

	private redisFailed(err: unknown, what: string) {
		if (!this.trouble) this.log.warn({ err, what }, 'pad fan-out through Redis failed; other instances catch up from PostgreSQL');
		this.trouble = true;
	}

	/** The blocking read covers a fixed set of streams: a newly watched one interrupts it. */
	private interrupt() {
		this.wake?.();
		if (this.readerId !== null) this.cluster.redis.call('CLIENT', 'UNBLOCK', this.readerId).catch(() => {});
	}

	private async loop() {
		const l = limits.clusterPad;
		while (!this.closed) {
			const ready = [...this.feeds.values()].filter((f) => f.lastId !== null);
			if (ready.length === 0) {
				await new Promise<void>((resolve) => {
					this.wake = resolve;
					setTimeout(resolve, l.readBlockMs).unref();
				});
				this.wake = null;
				continue;
			}
			let reply: StreamReply;
			try {
				reply = (await this.reader.xreadBuffer('COUNT', l.readCount, 'BLOCK', l.readBlockMs, 'STREAMS', ...ready.map((f) => streamKey(f.doc.name)), ...ready.map((f) => f.lastId!))) as StreamReply;
			} catch (err) {
				if (this.closed) return;
				this.redisFailed(err, 'reading pad streams');
				await new Promise((r) => setTimeout(r, l.readRetryMs).unref());
				continue;
			}
			if (this.trouble) this.recovered();
			for (const [key, entries] of reply ?? []) {
				const feed = this.feeds.get(docOfKey(key.toString()));
				if (!feed) continue;
				for (const [id, raw] of entries) {
					feed.lastId = id.toString();
					this.deliver(feed, fieldsOf(raw));
				}
			}
		}
	}

	private deliver(feed: DocFeed, fields: Map<string, Buffer>) {
		if (fields.get('i')?.toString() === this.cluster.instanceId) return;
		const awareness = fields.get('a');
		if (awareness) return feed.doc.applyRemoteAwareness(new Uint8Array(awareness.buffer, awareness.byteOffset, awareness.byteLength), fields.get('i')?.toString() ?? '');
		if (fields.has('sealed')) {
			this.log.info({ doc: feed.doc.name }, 'pad sealed by another instance (session ended there)');
			return feed.seal();
		}
		const seq = Number(fields.get('s')?.toString());
		const update = fields.get('u');
		if (!Number.isSafeInteger(seq) || !update) return this.log.warn({ doc: feed.doc.name }, 'pad stream entry without seq or update; ignored');
		feed.remote(seq, new Uint8Array(update.buffer, update.byteOffset, update.byteLength));
	}

	/** Redis answers again: what was published meanwhile may be lost, so every feed reads the database. */
	private recovered() {
		this.trouble = false;
		this.log.info({ documents: this.feeds.size }, 'pad fan-out through Redis works again; catching up from PostgreSQL');
		for (const feed of this.feeds.values()) {
			if (feed.lastId === null) void this.findTail(feed);
			else void this.catchUp(feed);
		}
	}

	/** Reads what the database holds after the feed's last applied seq (one read per document at a time). */
	private catchUp(feed: DocFeed): Promise<void> {
		const name = feed.doc.name;
		const running = this.catching.get(name);
		if (running) return running;
		this.log.debug({ doc: name, after: feed.appliedSeq }, 'pad catching up from PostgreSQL');
		const reading = this.heads
			.readAfter(name, feed.appliedSeq)
			.then(
				(missed) => {
					if (missed.sealed && !feed.sealed) this.log.info({ doc: name }, 'pad sealed in PostgreSQL (session ended on another instance)');
					if (this.feeds.get(name) === feed) feed.caughtUp(missed);
				},
				(err: unknown) => this.log.warn({ err, doc: name }, 'pad catch-up from PostgreSQL failed; trying again at the next poll')
			)
			.finally(() => this.catching.delete(name));
		this.catching.set(name, reading);
		return reading;
	}

	/**
	 * Backstop: documents with peers that heard nothing for a while compare
	 * their last seq with the head rows (one query for all of them) and read
	 * what they lack; a gap still open is read too.
	 */
	private async poll() {
		await this.forgetDeadInstances();
		const now = Date.now();
		const quiet = [...this.feeds.values()].filter((f) => f.gapped || (f.doc.peerCount > 0 && now - f.heardAt >= limits.clusterPad.quietPollMs));
		for (const f of quiet) if (f.lastId === null) void this.findTail(f);
		if (quiet.length === 0) return;
		this.log.debug({ documents: quiet.length }, 'pad backstop poll');
		let heads: Map<string, { seq: number; sealed: boolean }>;
		try {
			heads = await this.heads.heads(quiet.map((f) => f.doc.name));
		} catch (err) {
			return this.log.warn({ err }, 'pad backstop poll of PostgreSQL failed; trying again');
		}
		for (const f of quiet) {
			const head = heads.get(f.doc.name);
			f.heardAt = now;
			if (head && (head.seq > f.appliedSeq || (head.sealed && !f.sealed))) void this.catchUp(f);
		}
	}

	/** Awareness held for instances without a heartbeat (killed, or cut off from Redis) is dropped from every document. */
	private async forgetDeadInstances() {
		const owners = new Set<string>();
		for (const f of this.feeds.values()) for (const id of f.doc.remoteAwarenessOwners()) owners.add(id);
		if (owners.size === 0) return;
		let alive: Set<string>;
		try {
			alive = await this.cluster.aliveAmong([...owners]);
		} catch (err) {
			// Without Redis nobody can tell who died; y-protocols' timeout still drops them.
			return this.redisFailed(err, 'reading instance heartbeats');
		}
		for (const id of owners) {
			if (alive.has(id)) continue;
			this.log.info({ instance: id }, "pad awareness of a dead instance's peers dropped");
			for (const f of this.feeds.values()) f.doc.dropRemoteAwareness(id);
		}
	}

	async close(): Promise<void> {
		this.closed = true;
		clearInterval(this.poller);
		for (const feed of this.feeds.values()) feed.stop();
		this.interrupt();
		this.reader.disconnect();
		await this.looping.catch(() => {});
		await Promise.allSettled(this.catching.values());
	}
}
