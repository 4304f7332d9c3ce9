/**
 * The sync endpoint on the server's one port: WebSocket upgrades to
 * `/pad/<document name>` (the stock y-websocket provider's URL shape).
 * Everything is checked before the document is touched or any byte of it
 * is sent: the name, the Origin, the sign-in cookie, membership of the
 * session's engagement (or, for a three-way meeting's shared pad only, being
 * the engagement's sponsor), and the coach role for private notes. A refusal is
 * still completed as a WebSocket and then closed with a code and reason,
 * because that is what tells a stock provider to stop retrying.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { limits, type Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { readSessionCookie, RateLimiter, type Auth } from '../auth/index.ts';
import { TWO_FACTOR_REQUIRED, type Engagements } from '../engagements/index.ts';
import { originAllowed } from '../http/origin.ts';
import { clientAddress } from '../http/client-address.ts';
import { PAD_PATH, parsePadName, type PadName } from '../../shared/pad/index.ts';
import { CloseCode, closeReason } from './close-codes.ts';
import type { PadUser } from './connection.ts';

export type Admission =
	| { ok: true; name: string; pad: PadName; user: PadUser; sessionEnded: boolean; authSession: string }
	| { ok: false; code: number; reason: string };

export interface EndpointDeps {
	config: Config;
	auth: Auth;
	engagements: Engagements;
	log: Logger;
}

const refuse = (code: number, reason: string): Admission => ({ ok: false, code, reason });

/**
 * What a handshake presented, which is what refusals are counted by: many
 * people share an address behind a proxy or an office NAT, so a stranger's
 * refused attempts must never count against a signed-in member's.
 */
export type Presented = { kind: 'stranger'; key: string } | { kind: 'member'; key: string; userId: string };

const strangerKey = (what: string, address: string): Presented => ({ kind: 'stranger', key: `${what}:${address}` });

/** The cheap part of admission: what can be judged without the database. */
function precheck(req: IncomingMessage, deps: EndpointDeps, address: string): { pad: PadName; raw: string; token: string } | { refused: Admission; presented: Presented } {
	const path = (req.url ?? '').split('?')[0]!;
	let raw: string;
	try {
		raw = decodeURIComponent(path.slice(PAD_PATH.length + 1));
	} catch {
		raw = '';
	}
	if (!originAllowed(req, deps.config.origin)) {
		return { refused: refuse(CloseCode.forbidden, 'This page may not open the pad (origin not allowed).'), presented: strangerKey('foreign-origin', address) };
	}
	const token = readSessionCookie(req.headers.cookie, deps.config.secureCookies);
	if (!token) return { refused: refuse(CloseCode.unauthenticated, 'Sign in to open the pad.'), presented: strangerKey('no-cookie', address) };
	const pad = parsePadName(raw);
	if (!pad) return { refused: refuse(CloseCode.notFound, 'There is no such pad.'), presented: strangerKey('bad-name', address) };
	return { pad, raw, token };
}

export async function admit(req: IncomingMessage, deps: EndpointDeps, address = clientAddress(req, deps.config.clientAddress)): Promise<Admission & { presented: Presented }> {
	const cheap = precheck(req, deps, address);
	if ('refused' in cheap) return { ...cheap.refused, presented: cheap.presented };
	const { pad, raw, token } = cheap;
	try {
		const session = await deps.auth.validateSessionToken(token);
		if (!session) return { ...refuse(CloseCode.unauthenticated, 'Sign in to open the pad.'), presented: strangerKey('bad-cookie', address) };
		const presented: Presented = { kind: 'member', key: `member:${session.user.id}`, userId: session.user.id };
		// A sponsor is let in only to a three-way meeting's own shared document (roomAccess), never to private notes.
		const access = await deps.engagements.roomAccess(pad.sessionId, session.user.id);
		if (!access || (access.role === 'sponsor' && pad.kind !== 'shared')) return { ...refuse(CloseCode.notFound, 'There is no such pad, or it is not part of your engagements.'), presented };
		if (access.twoFactorMissing) return { ...refuse(CloseCode.twoFactorRequired, TWO_FACTOR_REQUIRED), presented };
		if (pad.kind === 'private' && access.role !== 'coach') return { ...refuse(CloseCode.forbidden, "Only the coach can open the coach's private notes."), presented };
		return {
			ok: true,
			name: raw,
			pad,
			user: { userId: session.user.id, role: access.role },
			sessionEnded: access.session.status === 'ended',
			authSession: session.sessionId,
			presented
		};
	} catch (err) {
		deps.log.error({ err }, 'pad sign-in check failed');
		return { ...refuse(CloseCode.unavailable, 'The server could not check your sign-in; trying again.'), presented: strangerKey('unchecked', address) };
	}
}

/**
 * Listens for upgrades on `/pad/...`; other paths (socket.io) are left to
 * their own handlers. `accept` gets each admitted WebSocket.
 */
export function listen(httpServer: HttpServer, deps: EndpointDeps, accept: (ws: WebSocket, admission: Extract<Admission, { ok: true }>) => void) {
	const wss = new WebSocketServer({ noServer: true, maxPayload: limits.pad.maxMessageBytes, perMessageDeflate: false });
	const refusals = new RateLimiter(limits.pad.refusalsPerMinute, 60_000);
	let closing = false;

	const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		const path = req.url ?? '';
		if (path !== PAD_PATH && !path.startsWith(PAD_PATH + '/')) return;
		socket.on('error', (err) => deps.log.debug({ err }, 'pad upgrade socket error'));
		if (closing) return void socket.destroy();
		const address = clientAddress(req, deps.config.clientAddress);
		const finish = (admission: Admission) =>
			wss.handleUpgrade(req, socket, head, (ws) => {
				ws.on('error', (err) => deps.log.debug({ err }, 'pad socket error'));
				if (!admission.ok) return ws.close(admission.code, closeReason(admission.reason));
				accept(ws, admission);
			});
		// Only refused attempts count, and each by what was presented: a busy
		// legitimate client is never throttled, someone probing names or cookies
		// is, and strangers behind a member's address never lock that member out.
		const cheap = precheck(req, deps, address);
		if ('refused' in cheap && refusals.retryAfter(cheap.presented.key) > 0) {
			deps.log.warn({ address, presented: cheap.presented.key }, 'too many refused pad connection attempts');
			return finish(refuse(CloseCode.rateLimited, 'Too many refused attempts; waiting a little.'));
		}
		admit(req, deps, address).then((admission) => {
			const throttled = !admission.ok && refusals.retryAfter(admission.presented.key) > 0;
			if (!admission.ok) refusals.hit(admission.presented.key);
			if (throttled) deps.log.warn({ address, presented: admission.presented.key }, 'too many refused pad connection attempts');
			finish(throttled ? refuse(CloseCode.rateLimited, 'Too many refused attempts; waiting a little.') : admission);
		}, (err: unknown) => {
			deps.log.error({ err }, 'pad admission failed');
			socket.destroy();
		});
	};
	httpServer.on('upgrade', onUpgrade);

	return {
		wss,
		stop() {
			closing = true;
			httpServer.off('upgrade', onUpgrade);
		}
	};
}
