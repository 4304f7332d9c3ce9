/**
 * Everything a session's pad holds, read out of stored Yjs states. Pure, so
 * a summary can be rendered again from the states it recorded.
 */
import * as Y from 'yjs';
import { notesOf, readActions, readCarriedActions, readLearningPoints, type Action, type CarriedAction, type LearningPoint } from './layout.ts';
import { notesMarkdown, notesText } from './notes.ts';

/** A session's two documents as Yjs updates (`Y.encodeStateAsUpdate`). */
export interface PadStates {
	shared: Uint8Array;
	/** The coach's private document; null when it was never opened. */
	private: Uint8Array | null;
}

export interface PadContent {
	/** Actions agreed in this session, in their agreed order. */
	actions: Action[];
	/** "From last time": earlier open actions, with the status this session gave them. */
	carried: CarriedAction[];
	learningPoints: LearningPoint[];
	notesText: string;
	notesMarkdown: string;
	/** The coach's private notes: never show these to a coachee. */
	privateNotesText: string;
	privateNotesMarkdown: string;
}

function docFromState(state: Uint8Array | null): Y.Doc {
	const doc = new Y.Doc({ gc: true });
	if (state && state.length > 0) Y.applyUpdate(doc, state);
	return doc;
}

export function readPadStates(states: PadStates): PadContent {
	const shared = docFromState(states.shared);
	const priv = docFromState(states.private);
	try {
		return {
			actions: readActions(shared),
			carried: readCarriedActions(shared),
			learningPoints: readLearningPoints(shared),
			notesText: notesText(notesOf(shared)),
			notesMarkdown: notesMarkdown(notesOf(shared)),
			privateNotesText: notesText(notesOf(priv)),
			privateNotesMarkdown: notesMarkdown(notesOf(priv))
		};
	} finally {
		shared.destroy();
		priv.destroy();
	}
}

/** "Casey", "Sam" or "Both": who an action belongs to, in words. */
export function ownerLabel(action: Pick<Action, 'owner' | 'ownerUserId'>, people: { userId: string; name: string; role: string }[]): string {
	if (action.owner === 'both') return 'Both';
	if (action.owner === 'coach') return people.find((p) => p.role === 'coach')?.name ?? 'Coach';
	const named = action.ownerUserId ? people.find((p) => p.userId === action.ownerUserId) : undefined;
	return named?.name ?? people.find((p) => p.role === 'coachee')?.name ?? 'Coachee';
}
