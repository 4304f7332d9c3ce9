/**
 * What the rooms feature asks of presence, whether it lives in this process
 * (one instance, `localPresence`) or in Redis (several, `redisPresence`).
 * Every answer is a promise so both sit behind one interface.
 */
import type { Participant, ParticipantRole } from '../../shared/protocol/index.ts';

export interface Person {
	userId: string;
	name: string;
	role: ParticipantRole;
}

export type JoinOutcome = 'first' | 'again' | 'full';
export type DropOutcome = 'still-here' | 'reconnecting' | 'absent';

/** Someone whose reconnect grace ran out; `empty` when nobody is left in the session. */
export type Expired = (sessionId: string, userId: string, empty: boolean) => void;

export interface Presence {
	/** Adds a socket for a person, refusing a new person past `cap` (atomic across instances). */
	join(sessionId: string, person: Person, socketId: string, cap: number): Promise<JoinOutcome>;
	/** Removes a socket; with none left the person is reconnecting until the grace ends. */
	drop(sessionId: string, userId: string, socketId: string): Promise<DropOutcome>;
	/** Leaves at once (the Leave button). */
	leave(sessionId: string, userId: string): Promise<{ removed: boolean; empty: boolean }>;
	participants(sessionId: string): Promise<Participant[]>;
	isEmpty(sessionId: string): Promise<boolean>;
	/** Called once, on one instance, for each person whose grace ran out. */
	onExpired(listener: Expired): void;
	/** Called for sessions whose presence changed without a local socket event (an instance died). */
	onChanged(listener: (sessionId: string) => void): void;
	close(): Promise<void>;
}
