/**
 * The browser's one socket.io connection for a coaching session. It joins the
 * session on every (re)connect, keeps presence, and lets features (video,
 * prompts, summary) send requests and re-establish their state after a drop.
 * socket.io retries by itself with backoff and jitter; we also retry at once
 * when the browser says it is back online.
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

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'refused';

const REQUEST_TIMEOUT_MS = 8000;

const REFUSALS: Record<'unauthenticated' | 'outdated_client', string> = {
	unauthenticated: 'Your sign-in has expired. Sign in again to rejoin the session.',
	outdated_client: 'This page is from an older version of Confidante. Reload the page to continue.'
};

function refusalOf(err: Error): HandshakeRefusal['code'] | undefined {
	const data: unknown = 'data' in err ? err.data : undefined;
	const code = typeof data === 'object' && data !== null && 'code' in data ? data.code : undefined;
	return code === 'unauthenticated' || code === 'unavailable' || code === 'outdated_client' ? code : undefined;
}

export class SessionConnection {
	readonly sessionId: string;
	readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
	status = $state<ConnectionStatus>('connecting');
	participants = $state<Participant[]>([]);
	joined = $state<Joined | null>(null);
	/** A message a person can act on when the session cannot be joined. */
	problem = $state<string | null>(null);
	private joinedHandlers = new Set<(j: Joined, rejoin: boolean) => void>();
	private joinCount = 0;
	private readonly goOnline = () => {
		if (!this.socket.connected) this.socket.connect();
	};

	constructor(sessionId: string) {
		this.sessionId = sessionId;
		this.socket = io({
			path: '/socket.io',
			transports: ['websocket'],
			reconnectionDelay: 500,
			// Short cap: after a server restart the call must be back within
			// seconds; a refused websocket attempt every 2 s costs nothing.
			reconnectionDelayMax: 2000,
			randomizationFactor: 0.5,
			timeout: 5000,
			// Checked at the handshake: a page from an older build is told to reload.
			auth: { protocolVersion: PROTOCOL_VERSION }
		});
		this.socket.on('connect', () => void this.join());
		this.socket.on('disconnect', () => {
			if (this.status !== 'refused') this.status = 'reconnecting';
		});
		this.socket.on('connect_error', (err) => {
			const code = refusalOf(err);
			if (code === 'unauthenticated' || code === 'outdated_client') {
				this.status = 'refused';
				this.problem = REFUSALS[code];
				this.socket.disconnect();
			} else if (this.status !== 'refused') this.status = 'reconnecting';
		});
		this.socket.on('presence:update', (m) => {
			if (m.sessionId === this.sessionId) this.participants = m.participants;
		});
		this.socket.on('server:closing', () => {
			if (this.status !== 'refused') this.status = 'reconnecting';
		});
		if (typeof window !== 'undefined') window.addEventListener('online', this.goOnline);
	}

	private async join() {
		const r = await this.request('session:join', { sessionId: this.sessionId, protocolVersion: PROTOCOL_VERSION });
		if (!r.ok) {
			// A passing failure (timeout, restart) is retried by the next connect.
			if (r.error.code === 'unavailable' || r.error.code === 'internal') {
				this.status = 'reconnecting';
				setTimeout(() => this.socket.connected && void this.join(), 1000);
				return;
			}
			this.status = 'refused';
			this.problem = r.error.message;
			return;
		}
		this.joined = r.value;
		this.participants = r.value.participants;
		this.status = 'online';
		this.problem = null;
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
		if (typeof window !== 'undefined') window.removeEventListener('online', this.goOnline);
		this.joinedHandlers.clear();
		this.socket.close();
	}
}
