/** Ending a session and being sent to its summary. */
import { z } from 'zod';
import type { Ack } from './ack.ts';
import { sessionId } from './room.ts';

export const endSession = z.object({ sessionId }).strict();
export type EndSession = z.infer<typeof endSession>;

export const endCheck = z.object({ sessionId }).strict();

/** What one open page answers when asked whether it holds pad edits the server has not confirmed. */
export const unsyncedReply = z.object({ unsynced: z.number().int().min(0).max(1_000_000) }).strict();
export type UnsyncedReply = z.infer<typeof unsyncedReply>;

export interface Ended {
	summaryId: string;
	/** True when the session had already ended (another tab, a retry): same summary, nothing new. */
	alreadyEnded: boolean;
}

export interface EndCheck {
	/** People whose pages report edits not yet synced, by name. */
	unsynced: string[];
	/** Pages that did not answer in time: their state is unknown. */
	unanswered: number;
}

export interface SummaryClientEvents {
	'session:end': (msg: EndSession, ack: Ack<Ended>) => void;
	'session:end-check': (msg: { sessionId: string }, ack: Ack<EndCheck>) => void;
}

export interface SummaryServerEvents {
	/** The session ended (by the coach, or by itself); pages move to the summary. */
	'session:ended': (msg: { sessionId: string; summaryId: string }) => void;
	/** Asked before ending: does this page hold unsynced pad edits? */
	'session:unsynced?': (msg: { sessionId: string }, ack: (reply: UnsyncedReply) => void) => void;
}
