/** Ending a session and being sent to its summary. */
import { z } from 'zod';
import { sessionId } from './room.ts';

export const endSession = z.object({ sessionId }).strict();
export type EndSession = z.infer<typeof endSession>;

export const endCheck = z.object({ sessionId }).strict();

/** What one open page answers when asked whether it holds pad edits the server has not confirmed. */
export const unsyncedReply = z.object({ unsynced: z.number().int().min(0).max(1_000_000) }).strict();
export type UnsyncedReply = z.infer<typeof unsyncedReply>;

const ended = z.object({
	summaryId: z.string(),
	/** True when the session had already ended (another tab, a retry): same summary, nothing new. */
	alreadyEnded: z.boolean()
});
export type Ended = z.infer<typeof ended>;

const endCheckReply = z.object({
	/** People whose pages report edits not yet synced, by name. */
	unsynced: z.array(z.string()),
	/** Pages that did not answer in time: their state is unknown. */
	unanswered: z.number().int()
});
export type EndCheck = z.infer<typeof endCheckReply>;

export const summaryRequests = {
	'session:end': { payload: endSession, reply: ended },
	'session:end-check': { payload: endCheck, reply: endCheckReply }
};

export const summaryEvents = {
	/** The session ended (by the coach, or by itself); pages move to the summary. */
	'session:ended': z.object({ sessionId: z.string(), summaryId: z.string() })
};

/** What the server asks every page of a session, with the answer it expects. */
export const summaryQuestions = {
	/** Asked before ending: does this page hold unsynced pad edits? */
	'session:unsynced?': { payload: z.object({ sessionId: z.string() }), reply: unsyncedReply }
};
