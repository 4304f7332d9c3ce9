/** Presence for one process: the in-memory registry behind the shared interface, as before. */
import { PresenceRegistry } from './presence.ts';
import type { Expired, Presence } from './presence-shared.ts';

export function localPresence(graceMs: number): Presence {
	const registry = new PresenceRegistry();
	const expired: Expired[] = [];
	return {
		async join(sessionId, person, socketId, cap) {
			const active = registry.participants(sessionId);
			if (!active.some((p) => p.userId === person.userId) && active.length >= cap) return 'full';
			return registry.join(sessionId, person, socketId) ? 'first' : 'again';
		},
		async drop(sessionId, userId, socketId) {
			return registry.drop(sessionId, userId, socketId, graceMs, () => {
				const empty = registry.isEmpty(sessionId);
				for (const l of expired) l(sessionId, userId, empty);
			});
		},
		async leave(sessionId, userId) {
			const removed = registry.participants(sessionId).some((p) => p.userId === userId);
			registry.remove(sessionId, userId);
			return { removed, empty: registry.isEmpty(sessionId) };
		},
		async participants(sessionId) {
			return registry.participants(sessionId);
		},
		async isEmpty(sessionId) {
			return registry.isEmpty(sessionId);
		},
		onExpired(listener) {
			expired.push(listener);
		},
		onChanged() {
			// One process: every change comes from a local socket.
		},
		async close() {}
	};
}
