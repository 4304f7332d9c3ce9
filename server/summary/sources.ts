/**
 * What a summary needs from the other live features, as one small interface:
 * the pad's final Yjs states (shared and the coach's private document), a way
 * to read typed content out of those states, and the prompts the coach marked
 * asked, and the contract version in force. `app.ts` wires it to the pad and prompt panel; tests and a server
 * without those features get `noSources()`.
 */
import * as Y from 'yjs';
import type { AskedPrompt, SummaryAction, SummaryContract } from './content.ts';
import type { GroupSharing } from '../../shared/contract/body.ts';

export interface PadFinalState {
	shared: Uint8Array;
	/** The coach's private document; null when it was never opened. */
	private: Uint8Array | null;
}

/** Typed pad content; `carriedOver` entries refer to actions from earlier sessions by id. */
export interface PadReading {
	actions: SummaryAction[];
	/** Actions from earlier sessions reviewed in this one, with their status now (null: the pad has no such section). */
	reviewed: { id: string; status: SummaryAction['status']; text?: string; owner?: string; due?: string | null; fromSession?: number }[] | null;
	learningPoints: string[];
	/** Who wrote each learning point, in the same order. */
	learningAuthors?: string[];
	notes: string;
	privateNotes: string;
}

export interface SummarySources {
	/** The session's final pad state, flushed to the store. Called after the session is marked ended. */
	padFinalState(sessionId: string): Promise<PadFinalState>;
	/** Pure: typed content from recorded states, so a summary can be rendered again from its record. */
	readPad(state: PadFinalState, people: { userId: string; name: string; role: string }[]): PadReading;
	/** Prompts the coach marked asked during the session, oldest first. */
	promptsAsked(sessionId: string): Promise<AskedPrompt[]>;
	/** The contract version in force at `at` (the session's start), with its goals; null when none was. */
	contractAt(engagementId: string, at: number): Promise<(SummaryContract & { sharing: GroupSharing }) | null>;
}

export const emptyDocState = (): Uint8Array => Y.encodeStateAsUpdate(new Y.Doc());

/** For a server running without the pad and prompt features: empty content, nothing asked. */
export function noSources(): SummarySources {
	return {
		padFinalState: async () => ({ shared: emptyDocState(), private: null }),
		readPad: () => ({ actions: [], reviewed: null, learningPoints: [], notes: '', privateNotes: '' }),
		promptsAsked: async () => [],
		contractAt: async () => null
	};
}
