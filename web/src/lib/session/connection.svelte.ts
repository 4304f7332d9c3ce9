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
	type ClientToServerEvents,
	type Joined,
	type Participant,
	type ServerToClientEvents
} from '$shared/protocol/index.ts';
import type { Result } from '$shared/result.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'refused';

const REQUEST_TIMEOUT_MS = 8000;

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
			timeout: 5000
		});
		this.socket.on('connect', () => void this.join());
		this.socket.on('disconnect', () => {
			if (this.status !== 'refused') this.status = 'reconnecting';
		});
		this.socket.on('connect_error', (err) => {
			const code = (err as Error & { data?: { code?: string } }).data?.code;
			if (code === 'unauthenticated') {
				this.status = 'refused';
				this.problem = 'Your sign-in has expired. Sign in again to rejoin the session.';
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
		const r = await this.request<Joined>('session:join', { sessionId: this.sessionId, protocolVersion: PROTOCOL_VERSION });
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

	/** Sends a request and waits for its ack; a timeout becomes an `unavailable` failure. */
	async request<T>(event: string, payload: unknown): Promise<Result<T>> {
		try {
			// The event name is checked by the server's schemas; the typed maps cover known events.
			return await (this.socket.timeout(REQUEST_TIMEOUT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<Result<T>> }).emitWithAck(event, payload);
		} catch {
			return { ok: false, error: { code: 'unavailable', message: 'No answer from the server; retrying when the connection is back.' } };
		}
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
