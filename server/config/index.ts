/**
 * Everything the server can be told from its environment, validated once at
 * start; the tuning knobs (timeouts, limits, backoff) are in limits.ts, re-exported here.
 * A bad value stops the server with a message naming the variable, instead of
 * failing later in a place that has nothing to do with it.
 */
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseFailpoints } from '../failpoints/index.ts';
import { limits } from './limits.ts';

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
	/**
	 * redis://... (or rediss://) turns on running several instances behind a load
	 * balancer (server/cluster); it needs DATABASE_URL. Unset: one process, as always.
	 */
	REDIS_URL: z
		.string()
		.regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
		.optional(),
	/** This instance's name among several (logs, presence, media leases); default: host name, process id and a random tail. */
	INSTANCE_ID: z
		.string()
		.regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
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
	/**
	 * Accounts one address may start per hour (sign-up is throttled per address).
	 * An office behind one NAT may need more; the test servers raise it, since
	 * every test person signs up from 127.0.0.1.
	 */
	SIGNUPS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
	/** How long a sign-in lasts unused (minutes; default 30 days); using it in its second half extends it. Shorter suits shared computers. */
	SESSION_LIFETIME_MINUTES: z.coerce.number().positive().max(365 * 24 * 60).default(30 * 24 * 60),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	/** Minutes a session stays live with nobody in it before it ends by itself. */
	/** How long a participant whose connection dropped stays "reconnecting" before leaving (default limits.room.reconnectGraceMs). */
	RECONNECT_GRACE_SECONDS: z.coerce.number().positive().max(3600).optional(),
	EMPTY_SESSION_END_MINUTES: z.coerce.number().positive().max(24 * 60).default(15),
	/** Test environments only: a file holding the scheduler's "now" (ms since the epoch); refused when NODE_ENV=production. */
	CONFIDANTE_CLOCK_FILE: z.string().min(1).optional(),
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
	const cluster = clusterOf(e);
	return {
		port: e.PORT,
		host: e.HOST,
		origin: e.ORIGIN,
		secureCookies: e.ORIGIN?.startsWith('https://') ?? false,
		dataDir,
		databaseUrl: e.DATABASE_URL,
		/** Several instances on one PostgreSQL and Redis (null: this process is the only one). */
		cluster: cluster.settings,
		/** Why REDIS_URL was not used, for main.ts to say at start. */
		clusterWarning: cluster.warning,
		smtpUrl: e.SMTP_URL,
		mailFrom: e.MAIL_FROM,
		smtpTimeoutMs: e.SMTP_TIMEOUT_SECONDS === undefined ? null : e.SMTP_TIMEOUT_SECONDS * 1000,
		logLevel: e.LOG_LEVEL,
		clientAddress: { header: e.ADDRESS_HEADER, xffDepth: e.XFF_DEPTH },
		signUpsPerAddressPerHour: e.SIGNUPS_PER_ADDRESS_PER_HOUR,
		sessionLifetimeMs: e.SESSION_LIFETIME_MINUTES * 60_000,
		media: {
			workers: e.MEDIA_WORKERS,
			listenIp: e.MEDIA_LISTEN_IP,
			announcedIp: e.MEDIA_ANNOUNCED_IP,
			rtcMinPort: e.MEDIA_RTC_MIN_PORT,
			rtcMaxPort: e.MEDIA_RTC_MAX_PORT,
			iceServers: e.ICE_SERVERS,
			/** `?direct=off|blocked` on the session page (force or break peer to peer) for tests, never in production. */
			directTestSwitches: e.NODE_ENV !== 'production'
		},
		emptySessionEndMs: e.EMPTY_SESSION_END_MINUTES * 60_000,
		reconnectGraceMs: e.RECONNECT_GRACE_SECONDS === undefined ? limits.room.reconnectGraceMs : e.RECONNECT_GRACE_SECONDS * 1000,
		failpoints: failpointsOf(e),
		clockFile: clockFileOf(e)
	};
}

/** REDIS_URL is only for PostgreSQL: a SQLite file belongs to one process, which says so instead of half-sharing. */
function clusterOf(e: z.infer<typeof envSchema>): { settings: { redisUrl: string; instanceId: string } | null; warning: string | null } {
	if (!e.REDIS_URL) return { settings: null, warning: null };
	if (!e.DATABASE_URL) return { settings: null, warning: 'REDIS_URL is set but DATABASE_URL is not: the embedded SQLite store serves one instance only, so this instance runs alone and ignores Redis. Set DATABASE_URL to a PostgreSQL database to run several instances.' };
	const instanceId = e.INSTANCE_ID ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
	return { settings: { redisUrl: e.REDIS_URL, instanceId }, warning: null };
}

function clockFileOf(e: z.infer<typeof envSchema>): string | undefined {
	if (e.CONFIDANTE_CLOCK_FILE && e.NODE_ENV === 'production') throw new ConfigError('Invalid configuration:\n  CONFIDANTE_CLOCK_FILE: a controlled clock is for tests; unset it when NODE_ENV=production');
	return e.CONFIDANTE_CLOCK_FILE;
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

export { limits } from './limits.ts';
