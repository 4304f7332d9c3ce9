/**
 * Live connections (socket.io sockets, pad WebSockets) by the sign-in
 * session they were opened with. A session's connections are checked once,
 * at their handshake; when the session ends (sign-out, "sign out" on the
 * devices page, a password reset) they are closed here at once, so nothing
 * can be done any more with a session that is over.
 */
export type CloseLive = () => void;

export class LiveConnections {
	private readonly bySession = new Map<string, Set<CloseLive>>();

	/** Registers a connection; call the returned function when it closes by itself. */
	register(sessionId: string, close: CloseLive): () => void {
		let set = this.bySession.get(sessionId);
		if (!set) this.bySession.set(sessionId, (set = new Set()));
		set.add(close);
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
}
