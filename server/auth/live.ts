/**
 * Live connections (socket.io sockets, pad WebSockets) by the sign-in
 * session they were opened with. A session's connections are checked at
 * their handshake; when the session ends (sign-out, "sign out" on the devices
 * page, a password reset) they are closed here at once, so nothing can be
 * done any more with a session that is over. A session can also end without
 * this process doing it: it expires, or another instance revokes it. So while
 * connections are open their sessions are re-checked (`watch`): at the
 * earliest known expiry, and at least every `limits.auth.liveCheckMs`.
 */
import { limits } from '../config/index.ts';

export type CloseLive = () => void;

/** Of these session ids, the ones still valid, each with when it expires. */
export type StillValid = (sessionIds: string[]) => Promise<Map<string, number>>;

export class LiveConnections {
	private readonly bySession = new Map<string, Set<CloseLive>>();
	private stillValid: StillValid | null = null;
	private onError: (err: unknown) => void = () => {};
	private timer: NodeJS.Timeout | null = null;
	/** When the pending check runs. */
	private due = 0;
	private checking = false;

	/** Re-checks the sessions of open connections with `stillValid`, closing those that ended elsewhere. */
	watch(stillValid: StillValid, onError: (err: unknown) => void): void {
		this.stillValid = stillValid;
		this.onError = onError;
	}

	/** Registers a connection; call the returned function when it closes by itself. */
	register(sessionId: string, close: CloseLive): () => void {
		let set = this.bySession.get(sessionId);
		if (!set) this.bySession.set(sessionId, (set = new Set()));
		set.add(close);
		this.schedule(limits.auth.liveCheckMs);
		return () => {
			const s = this.bySession.get(sessionId);
			if (!s) return;
			s.delete(close);
			if (s.size === 0) this.bySession.delete(sessionId);
		};
	}

	/** Closes every connection of these sessions; returns how many were closed. */
	closeSessions(sessionIds: Iterable<string>): number {
		let n = 0;
		for (const id of sessionIds) {
			const set = this.bySession.get(id);
			if (!set) continue;
			this.bySession.delete(id);
			for (const close of set) {
				n++;
				try {
					close();
				} catch {
					// A connection that is already gone has nothing left to close.
				}
			}
		}
		return n;
	}

	count(sessionId: string): number {
		return this.bySession.get(sessionId)?.size ?? 0;
	}

	/** Stops re-checking (shutdown). */
	stop(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.stillValid = null;
	}

	/** Keeps one timer, at the earliest time asked for; none while no connection is open. */
	private schedule(inMs: number, at = Date.now() + inMs): void {
		if (!this.stillValid || this.bySession.size === 0) return;
		if (this.timer && this.due <= at) return;
		if (this.timer) clearTimeout(this.timer);
		this.due = at;
		this.timer = setTimeout(() => void this.check(), Math.max(0, at - Date.now()));
		this.timer.unref();
	}

	private async check(): Promise<void> {
		this.timer = null;
		if (!this.stillValid || this.checking) return;
		this.checking = true;
		let next: number = limits.auth.liveCheckMs;
		try {
			const ids = [...this.bySession.keys()];
			const valid = new Map<string, number>();
			// In slices, so a busy server never sends one query with thousands of parameters.
			for (let i = 0; i < ids.length; i += 500) for (const [id, expiresAt] of await this.stillValid(ids.slice(i, i + 500))) valid.set(id, expiresAt);
			this.closeSessions(ids.filter((id) => !valid.has(id)));
			// The next check is due when the first remaining session expires, if that is sooner.
			const soonest = Math.min(...valid.values());
			if (Number.isFinite(soonest)) next = Math.min(next, Math.max(0, soonest - Date.now()) + 5);
		} catch (err) {
			this.onError(err); // the database is down: keep the connections, try again later
		} finally {
			this.checking = false;
			this.schedule(next);
		}
	}
}
