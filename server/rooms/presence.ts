/**
 * Live per-room state: who is in which session, over which sockets. This is
 * the one place that holds it, so running several instances later (with
 * Redis) replaces this class and nothing else.
 */
import type { Participant, ParticipantRole } from '../../shared/protocol/index.ts';

interface Entry {
	userId: string;
	name: string;
	role: ParticipantRole;
	sockets: Set<string>;
	/** Set while the person has no socket; cleared when one comes back. */
	awaySince: number | null;
	leaveTimer: ReturnType<typeof setTimeout> | null;
}

export class PresenceRegistry {
	private readonly rooms = new Map<string, Map<string, Entry>>();

	/** Adds a socket for a person; returns true if the person was not present before. */
	join(sessionId: string, person: { userId: string; name: string; role: ParticipantRole }, socketId: string): boolean {
		let room = this.rooms.get(sessionId);
		if (!room) this.rooms.set(sessionId, (room = new Map()));
		const existing = room.get(person.userId);
		if (existing) {
			existing.sockets.add(socketId);
			existing.awaySince = null;
			if (existing.leaveTimer) clearTimeout(existing.leaveTimer);
			existing.leaveTimer = null;
			return false;
		}
		room.set(person.userId, { ...person, sockets: new Set([socketId]), awaySince: null, leaveTimer: null });
		return true;
	}

	/**
	 * Removes a socket. With no socket left the person is `reconnecting` and
	 * `onGone` runs after the grace period unless they come back first.
	 */
	drop(sessionId: string, userId: string, socketId: string, graceMs: number, onGone: () => void): 'still-here' | 'reconnecting' | 'absent' {
		const entry = this.rooms.get(sessionId)?.get(userId);
		if (!entry) return 'absent';
		entry.sockets.delete(socketId);
		if (entry.sockets.size > 0) return 'still-here';
		entry.awaySince = Date.now();
		if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
		entry.leaveTimer = setTimeout(() => {
			this.remove(sessionId, userId);
			onGone();
		}, graceMs);
		entry.leaveTimer.unref?.();
		return 'reconnecting';
	}

	/** Leaves at once (the Leave button or a closed tab), without a grace period. */
	remove(sessionId: string, userId: string): void {
		const room = this.rooms.get(sessionId);
		const entry = room?.get(userId);
		if (!room || !entry) return;
		if (entry.leaveTimer) clearTimeout(entry.leaveTimer);
		room.delete(userId);
		if (room.size === 0) this.rooms.delete(sessionId);
	}

	participants(sessionId: string): Participant[] {
		const room = this.rooms.get(sessionId);
		if (!room) return [];
		return [...room.values()].map((e) => ({
			userId: e.userId,
			name: e.name,
			role: e.role,
			presence: e.sockets.size > 0 ? 'online' : 'reconnecting'
		}));
	}

	/** Sessions with at least one person online or reconnecting. */
	activeSessions(): string[] {
		return [...this.rooms.keys()];
	}

	isEmpty(sessionId: string): boolean {
		return !this.rooms.has(sessionId);
	}
}
