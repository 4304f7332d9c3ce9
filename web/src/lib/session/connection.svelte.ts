/**
 * The browser's one socket.io connection for a coaching session. It joins the
 * session on every (re)connect, keeps presence, and lets features (video,
 * prompts, summary) send requests and re-establish their state after a drop.
 * Reconnecting follows the shared retry policy (retryKnobs.session) instead of
 * socket.io's own backoff, so the socket, the pad and the media client retry
 * alike: at once when the browser is back online or the tab visible again,
 * not at all while offline or after the server refused the sign-in.
 */
import { io, type Socket } from 'socket.io-client';
import {
	PROTOCOL_VERSION,
	readAnswer,
	serverEvents,
	type Answer,
	type ClientToServerEvents,
	type HandshakeRefusal,
	type Joined,
	type Participant,
	type RequestName,
	type RequestPayload,
	type ServerEventName,
	type ServerEventPayload,
	type ServerToClientEvents
} from '$shared/protocol/index.ts';
import { backoff, retryKnobs } from '$shared/retry.ts';
import { Retry } from '$lib/retry.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'refused';

const REQUEST_TIMEOUT_MS = 8000;

const REFUSALS: Record<'unauthenticated' | 'outdated_client' | 'too_many_connections', string> = {
	unauthenticated: 'You are signed out on this device (or your sign-in expired). Sign in again to rejoin the session.',
	too_many_connections: 'Confidante is open in too many of your tabs or windows. Close some of them, then reload this page.',
	outdated_client: 'This page is from an older version of Confidante. Reload the page to continue.'
};

function refusalOf(err: Error): HandshakeRefusal['code'] | undefined {
	const data: unknown = 'data' in err ? err.data : undefined;
	const code = typeof data === 'object' && data !== null && 'code' in data ? data.code : undefined;
	return code === 'unauthenticated' || code === 'unavailable' || code === 'outdated_client' || code === 'too_many_connections' ? code : undefined;
}

export class SessionConnection {
	readonly sessionId: string;
	readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
	status = $state<ConnectionStatus>('connecting');
	participants = $state<Participant[]>([]);
	joined = $state<Joined | null>(null);
	/** A message a person can act on when the session cannot be joined. */
	problem = $state<string | null>(null);
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- listeners, never rendered
	private joinedHandlers = new Set<(j: Joined, rejoin: boolean) => void>();
	private joinCount = 0;
	/** One try is: open the socket if it is closed, else ask to join again. */
	private readonly retry = new Retry({
		policy: backoff(retryKnobs.session),
		attempt: () => {
			if (this.status === 'refused') return;
			if (!this.socket.connected) this.socket.connect();
			else void this.join();
		}
	});

	constructor(sessionId: string) {
		this.sessionId = sessionId;
		this.socket = io({
			path: '/socket.io',
			transports: ['websocket'],
			// Our retry policy decides when to reconnect (see `retry`).
			reconnection: false,
			timeout: 5000,
			// Checked at the handshake: a page from an older build is told to reload.
			auth: { protocolVersion: PROTOCOL_VERSION }
		});
		this.socket.on('connect', () => void this.join());
		this.socket.on('disconnect', (reason) => {
			// We closed it ourselves (close(), or a refused sign-in): nothing to retry.
			if (reason === 'io client disconnect' || this.status === 'refused') return;
			this.status = 'reconnecting';
			this.retry.failed();
		});
		this.socket.on('connect_error', (err) => {
			const code = refusalOf(err);
			if (code === 'unauthenticated' || code === 'outdated_client' || code === 'too_many_connections') {
				this.status = 'refused';
				this.problem = REFUSALS[code];
				this.retry.cancel();
				this.socket.disconnect();
			} else if (this.status !== 'refused') {
				// Server down or restarting, or it could not check the sign-in ('unavailable').
				this.status = 'reconnecting';
				this.retry.failed();
			}
		});
		this.socket.on('session:started', (m) => {
			if (m.sessionId === this.sessionId && this.joined) this.joined = { ...this.joined, session: { ...this.joined.session, status: 'live', startedAt: m.startedAt } };
		});
		this.socket.on('presence:update', (m) => {
			if (m.sessionId === this.sessionId) this.participants = m.participants;
		});
		this.socket.on('server:closing', () => {
			if (this.status !== 'refused') this.status = 'reconnecting';
		});
	}

	private async join() {
		const r = await this.request('session:join', { sessionId: this.sessionId, protocolVersion: PROTOCOL_VERSION });
		if (!r.ok) {
			// A passing failure (timeout, restart) is retried by the next connect.
			if (r.error.code === 'unavailable' || r.error.code === 'internal') {
				this.status = 'reconnecting';
				this.retry.failed();
				return;
			}
			this.status = 'refused';
			this.retry.cancel();
			this.problem = r.error.message;
			return;
		}
		this.joined = r.value;
		this.participants = r.value.participants;
		this.status = 'online';
		this.problem = null;
		this.retry.succeeded();
		const rejoin = this.joinCount++ > 0;
		for (const h of this.joinedHandlers) h(r.value, rejoin);
	}

	/** Runs on every successful join; `rejoin` is true after a reconnect. Returns an unsubscribe. */
	onJoined(handler: (j: Joined, rejoin: boolean) => void): () => void {
		this.joinedHandlers.add(handler);
		if (this.joined && this.status === 'online') handler(this.joined, this.joinCount > 1);
		return () => this.joinedHandlers.delete(handler);
	}

	/**
	 * Sends a request and waits for its ack. A timeout becomes an `unavailable`
	 * failure; an answer outside the protocol (a server from another build)
	 * becomes `outdated_client`, which tells the person to reload.
	 */
	async request<K extends RequestName>(name: K, payload: RequestPayload<K>): Promise<Answer<K>> {
		// socket.io's event types cannot be indexed by a generic name, so the send goes
		// through the untyped view; `K` already checked the payload, and readAnswer checks the reply.
		const wire: Socket = this.socket;
		let answer: unknown;
		try {
			answer = await wire.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);
		} catch {
			return { ok: false, error: { code: 'unavailable', message: 'No answer from the server; retrying when the connection is back.' } };
		}
		const read = readAnswer(name, answer);
		if (read) return read;
		console.warn('[session] answer outside the protocol', name, answer);
		return { ok: false, error: { code: 'outdated_client', message: REFUSALS.outdated_client } };
	}

	/** Listens to a server event, checked against its schema; returns an unsubscribe. */
	listen<K extends ServerEventName>(name: K, handler: (msg: ServerEventPayload<K>) => void): () => void {
		const schema = serverEvents[name];
		const listener = (msg: unknown) => {
			const parsed = schema.safeParse(msg);
			if (parsed.success) handler(parsed.data);
			else console.warn('[session] event outside the protocol', name, msg);
		};
		// The untyped view, for the reason given in request(); the schema types the message.
		const wire: Socket = this.socket;
		const event: string = name;
		wire.on(event, listener);
		return () => void wire.off(event, listener);
	}

	async leave() {
		await this.request('session:leave', { sessionId: this.sessionId });
	}

	close() {
		this.retry.destroy();
		this.joinedHandlers.clear();
		this.socket.close();
	}
}
