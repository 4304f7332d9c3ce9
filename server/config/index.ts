/**
 * Everything the server can be told from its environment, validated once at
 * start, plus every tuning knob (timeouts, limits, backoff) with its reason.
 * A bad value stops the server with a message naming the variable, instead of
 * failing later in a place that has nothing to do with it.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseFailpoints } from '../failpoints/index.ts';

const port = z.coerce.number().int().min(0).max(65535);
const originUrl = z
	.url({ protocol: /^https?$/ })
	.transform((u) => new URL(u).origin);

const envSchema = z.object({
	PORT: port.default(3000),
	HOST: z.string().min(1).default('0.0.0.0'),
	/** Public origin (scheme://host[:port]); when unset, the request's Host is trusted. */
	ORIGIN: originUrl.optional(),
	DATA_DIR: z.string().min(1).default('data'),
	/** postgres://... selects PostgreSQL; unset keeps the embedded SQLite file. */
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
		.optional(),
	/** smtp://user:pass@host:port or smtps://...; unset writes .eml files to DATA_DIR/outbox. */
	SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
	MAIL_FROM: z.string().min(3).default('Confidante <no-reply@confidante.local>'),
	/** Seconds to wait for the mail server to connect, greet and answer; unset uses limits.mail. */
	SMTP_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).optional(),
	/**
	 * Header a trusted reverse proxy puts the client's address in (e.g.
	 * X-Forwarded-For); unset uses the connection's address. adapter-node reads
	 * the same variable for the pages.
	 */
	ADDRESS_HEADER: z
		.string()
		.regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as X-Forwarded-For')
		.transform((h) => h.toLowerCase())
		.optional(),
	/** With X-Forwarded-For: how many proxies appended to it (the client is that many entries from the right). */
	XFF_DEPTH: z.coerce.number().int().min(1).max(10).default(1),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	/** Minutes a session stays live with nobody in it before it ends by itself. */
	EMPTY_SESSION_END_MINUTES: z.coerce.number().positive().max(24 * 60).default(15),
	/** Test environments only: failpoints to arm (server/failpoints); refused when NODE_ENV=production. */
	CONFIDANTE_FAILPOINTS: z.string().optional(),
	NODE_ENV: z.string().optional(),
	MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
	MEDIA_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
	MEDIA_ANNOUNCED_IP: z.string().min(1).optional(),
	MEDIA_RTC_MIN_PORT: port.default(40000),
	MEDIA_RTC_MAX_PORT: port.default(49999),
	/** JSON array of RTCIceServer objects handed to browsers (STUN/TURN). */
	ICE_SERVERS: z
		.string()
		.default('[]')
		.transform((s, ctx) => {
			try {
				return z
					.array(
						z.object({
							urls: z.union([z.string(), z.array(z.string())]),
							username: z.string().optional(),
							credential: z.string().optional()
						})
					)
					.parse(JSON.parse(s));
			} catch {
				ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {urls, username?, credential?}' });
				return z.NEVER;
			}
		})
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
	const parsed = envSchema.safeParse(env);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	if (e.MEDIA_RTC_MIN_PORT > e.MEDIA_RTC_MAX_PORT) {
		throw new ConfigError('Invalid configuration:\n  MEDIA_RTC_MIN_PORT: must not exceed MEDIA_RTC_MAX_PORT');
	}
	const dataDir = path.resolve(e.DATA_DIR);
	return {
		port: e.PORT,
		host: e.HOST,
		origin: e.ORIGIN,
		secureCookies: e.ORIGIN?.startsWith('https://') ?? false,
		dataDir,
		databaseUrl: e.DATABASE_URL,
		smtpUrl: e.SMTP_URL,
		mailFrom: e.MAIL_FROM,
		smtpTimeoutMs: e.SMTP_TIMEOUT_SECONDS === undefined ? null : e.SMTP_TIMEOUT_SECONDS * 1000,
		logLevel: e.LOG_LEVEL,
		clientAddress: { header: e.ADDRESS_HEADER, xffDepth: e.XFF_DEPTH },
		media: {
			workers: e.MEDIA_WORKERS,
			listenIp: e.MEDIA_LISTEN_IP,
			announcedIp: e.MEDIA_ANNOUNCED_IP,
			rtcMinPort: e.MEDIA_RTC_MIN_PORT,
			rtcMaxPort: e.MEDIA_RTC_MAX_PORT,
			iceServers: e.ICE_SERVERS
		},
		emptySessionEndMs: e.EMPTY_SESSION_END_MINUTES * 60_000,
		failpoints: failpointsOf(e)
	};
}

function failpointsOf(e: z.infer<typeof envSchema>) {
	if (!e.CONFIDANTE_FAILPOINTS) return new Map() as ReturnType<typeof parseFailpoints>;
	if (e.NODE_ENV === 'production') throw new ConfigError('Invalid configuration:\n  CONFIDANTE_FAILPOINTS: fault injection is for tests; unset it when NODE_ENV=production');
	try {
		return parseFailpoints(e.CONFIDANTE_FAILPOINTS);
	} catch (err) {
		throw new ConfigError(`Invalid configuration:\n  CONFIDANTE_FAILPOINTS: ${(err as Error).message}`);
	}
}

/** Tuning knobs. Change them here, nowhere else. */
export const limits = {
	health: {
		/** A synchronous stretch longer than this is logged with what was running: every user waited that long. */
		eventLoopStallMs: 100,
		/** How often the loop is checked; a stall shows up at most this much later. */
		eventLoopCheckMs: 50
	},
	store: {
		/** How often the SQLite log is copied back into the database file, off the write path. */
		walCheckpointIntervalMs: 1_000
	},
	http: {
		/** Largest request body the app accepts; forms and JSON here are small. */
		maxBodyBytes: 256 * 1024,
		/** Time given to in-flight requests and sockets on SIGTERM before exit. */
		shutdownGraceMs: 5_000
	},
	auth: {
		/** Session lifetime; each use in the second half extends it again (sliding expiry). */
		sessionLifetimeMs: 30 * 24 * 60 * 60 * 1000,
		sessionRenewWithinMs: 15 * 24 * 60 * 60 * 1000,
		/** Failed sign-ins tolerated per email+address before a pause. */
		loginAttempts: 5,
		loginWindowMs: 15 * 60 * 1000,
		passwordMinLength: 10,
		passwordMaxLength: 256
	},
	invites: {
		/** An invite link is single use and goes stale after a week. */
		lifetimeMs: 7 * 24 * 60 * 60 * 1000
	},
	sponsors: {
		/** Like a coachee's invite: single use, a week. */
		linkLifetimeMs: 7 * 24 * 60 * 60 * 1000,
		/** An update for a sponsor is a few sentences, not a report. */
		maxUpdateChars: 2_000
	},
	socket: {
		/** socket.io message cap; kept low after the engine.io memory CVEs. */
		maxMessageBytes: 100_000,
		/** Events per socket per window before acks answer `rate_limited`. */
		eventsPerWindow: 60,
		eventWindowMs: 10_000,
		/** Fast detection of dead connections (users expect seconds, not 15 s). */
		pingIntervalMs: 5_000,
		pingTimeoutMs: 5_000
	},
	prompts: {
		/**
		 * A coach's own prompts. Search is measured at the library plus 1,000
		 * custom prompts (docs/benchmarks.md); more would risk the per-keystroke
		 * budget on a slow laptop or phone.
		 */
		maxCustomPerCoach: 1_000,
		/** Prompts marked as asked in one session: a long session asks a few dozen; this bounds the timeline and summary. */
		maxAskedPerSession: 300
	},
	pad: {
		/** Largest sync/awareness frame; a session's whole pad is far smaller. Bigger frames are closed with 1009. */
		maxMessageBytes: 1024 * 1024,
		/** Largest document (stored bytes before compaction); a session's notes are kilobytes, this is 100x that. */
		maxDocBytes: 4 * 1024 * 1024,
		/**
		 * Messages per connection: fast typing with a moving caret is ~30/s
		 * (one update and one awareness message per keystroke); a burst covers
		 * reconnect resyncs and pasting.
		 */
		messagesPerSecond: 60,
		messageBurst: 300,
		/** Structs one update may declare (yjs issue 687); a 1 MiB paste is well under this. */
		maxStructsPerUpdate: 100_000,
		/** Highest clock a client may declare: ~1 billion inserted characters per client, never reached honestly. */
		maxClock: 2 ** 30,
		/**
		 * Every update's apply is timed (CPU time of this thread); one that takes
		 * longer than this is refused before it is stored or relayed, its sender
		 * closed and the document rebuilt as it was. A backstop: the cost
		 * estimate below refuses the expensive shapes it knows before applying.
		 */
		applyBudgetMs: 100,
		/**
		 * The work an update may cause, estimated against the live document
		 * before it is applied (server/pad/apply-cost.ts). Units are about a
		 * nanosecond on a loaded development machine, measured with the shapes
		 * in tests/unit/pad-apply-cost.test.ts; the weights lean high, since the
		 * same splice cost 1-10 ns per moved struct from run to run.
		 */
		applyCost: {
			/**
			 * About 30 ms at the slowest measured rates (typically 5-10x less):
			 * every person on the server waits while an update applies. Honest
			 * updates stay far below: a keystroke costs ~2,000, a reconnect's
			 * sync step 2 carrying 4,800 historic deletions ~1 million, syncing
			 * back 300 offline edits ~3.4 million.
			 */
			budget: 30_000_000,
			/** Integrating one struct: 1.5-2 µs measured (30,000 formatted runs, 5,000 clients). */
			struct: 2_000,
			/** Splitting an item (new item, content split), before the splice. */
			split: 1_000,
			/** Per struct a split's splice moves (those after the split item): 0.2-10 ns measured, so the high end. */
			movedStruct: 10,
			/** Deleting and garbage-collecting one live item: ~2 µs per one-character delete range with its splits. */
			deletedItem: 2_000,
			/** Reading a delete range and finding its start (a binary search). */
			deleteRange: 200,
			/** Stepping over one struct inside a delete range, e.g. one deleted long ago. */
			visitedStruct: 20,
			/** One step of Yjs's conflict scan past an item at the same place: ~250 ns measured (1,400 inserts without right origin inside one item: 500 ms). */
			conflictStep: 250,
			/**
			 * Updates estimated at this much work or more are timed in thread CPU
			 * time (a system call each side); smaller ones, keystrokes at ~2,000,
			 * by the clock, which can only overstate their CPU time.
			 */
			timedFrom: 200_000
		},
		/**
		 * Compact a document's update log into a snapshot after this many
		 * updates (and when it goes idle). Loading 2,000 keystroke updates takes
		 * milliseconds; compacting much more often made the write-ahead log churn
		 * and showed in the pad's p99 (docs/benchmarks.md).
		 */
		compactAfterUpdates: 2_000,
		/**
		 * ...and at the latest this long (1-1.5x) after its first update since
		 * the last compaction: on SQLite, journal segments are deleted once
		 * snapshots cover them, so this bounds the journal (and the replay at
		 * start-up after a crash) to about a minute and a half of updates.
		 */
		compactAfterMs: 60_000,
		/** On SQLite, a journal segment file is closed at this size and deleted once snapshots cover it. */
		journalSegmentBytes: 16 * 1024 * 1024,
		/** On SQLite, the journal is flushed to disk this often (a power cut loses at most about this much). */
		journalSyncMs: 1_000,
		/** A document with nobody connected is compacted and dropped from memory after this long. */
		unloadAfterMs: 30_000,
		/** Retry backoff for failed saves: 200 ms doubling to 10 s, for as long as it takes. */
		writeRetryMinMs: 200,
		writeRetryMaxMs: 10_000,
		/** A document rebuilt from the store after a refused update retries this often while the store cannot be read. */
		rebuildRetryMs: 1_000,
		/**
		 * On SQLite, pad snapshots share the store's connection and wait while
		 * one of its transactions is open (those take milliseconds); past this
		 * the compaction counts as failed and is tried again later.
		 */
		storeBusyMaxWaitMs: 2_000,
		/** Refused sync handshakes per address per minute before further attempts are refused unchecked (like failed sign-ins). */
		refusalsPerMinute: 60,
		/** Ping interval; a connection that missed a whole interval is dropped (y-websocket clients expect < 30 s). */
		heartbeatMs: 15_000,
		/** Connections to one document: a group engagement with a few tabs each. */
		maxConnectionsPerDoc: 40
	},
	room: {
		maxParticipants: 8,
		/** A participant whose socket dropped shows as reconnecting for this long. */
		reconnectGraceMs: 30_000
	},
	media: {
		/**
		 * Signalling requests per socket per window. Joining an 8-person room
		 * takes ~45 requests (transports, 3 producers, 2 consumers per other
		 * person, resumes) and a reconnect repeats part of it, so media has its
		 * own budget instead of eating the room's.
		 */
		requestsPerWindow: 300,
		requestWindowMs: 10_000,
		/** Waited before replacing a dead mediasoup worker, so a crash loop cannot spin a core. */
		workerRespawnDelayMs: 1_000,
		/** How often a missing worker binary is looked for again while media is unavailable. */
		workerRetryMs: 10_000,
		/**
		 * Bitrate the server assumes towards a browser before measuring: high
		 * enough that the first frames come from a sharp layer on a good link.
		 */
		initialOutgoingBitrate: 1_000_000,
		/** Cap on what one browser may send us (camera + screen + audio). */
		maxIncomingBitrate: 3_000_000,
		/**
		 * Camera simulcast layers (640x480 capture): a small layer for weak links
		 * and grids, a full one for the 1:1 main view.
		 */
		cameraLayers: [
			{ scaleResolutionDownBy: 2, maxBitrate: 200_000 },
			{ scaleResolutionDownBy: 1, maxBitrate: 900_000 }
		],
		/** Screen text must stay readable, so one sharp layer. */
		screenMaxBitrate: 1_500_000
	},
	summary: {
		/** How long the end dialog waits for open pages to report pad edits not yet synced. */
		unsyncedCheckMs: 1_500,
		/** How long ending waits for the pad to hand over its final state before recording what it has. */
		padFinalStateTimeoutMs: 5_000,
		/** Bounds on a coach's correction, so a summary stays an email-sized document. */
		maxActions: 200,
		maxTextChars: 20_000,
		/** A failed ending job (e.g. database briefly down) is retried this often. */
		endingRetryMs: 5_000,
		/**
		 * What one summary section may hold when it is rendered; the rest is cut
		 * with a visible line (the pad keeps everything). A session's notes are
		 * kilobytes (20,000 characters is some 3,000 words) and a correction
		 * holds at most `maxTextChars` per field, so honest summaries are never
		 * cut; the pad takes up to 4 MiB, which no email should carry and no
		 * page should render. Every page view and email costs time in
		 * proportion to these (serialising, encoding), so they stay email-sized.
		 */
		sectionChars: { notes: 20_000, privateNotes: 20_000, learningPoints: 20_000, actions: 20_000 },
		/**
		 * Summaries are rendered in a worker thread, never on the event loop.
		 * The renderer is linear (about 2 ms per 1,000 characters at worst on
		 * hostile text, so a coach's copy at the bounds takes well under a
		 * second); past this deadline the worker is stopped and that version is
		 * rendered as plain escaped text instead.
		 */
		renderDeadlineMs: 5_000
	},
	mail: {
		/**
		 * Retry backoff for failed deliveries: 2 s, 4 s, 8 s ... capped at 15 min,
		 * given up after 10 attempts (about an hour and a half in all), so a mail
		 * server restart is ridden out but a dead address does not retry forever.
		 */
		retryBaseMs: 2_000,
		retryMaxMs: 15 * 60_000,
		maxAttempts: 10,
		/** The queue also wakes this often, to pick up retries that have come due. */
		pollMs: 5_000,
		/** SMTP timeouts: a stalled server fails the attempt instead of hanging the queue. */
		connectionTimeoutMs: 10_000,
		greetingTimeoutMs: 10_000,
		socketTimeoutMs: 30_000,
		/** Messages sent at once; one coaching pair needs two, a busy server a few more. */
		concurrency: 4
	}
} as const;
