/**
 * What the server tells a pad's clients besides the document itself. It
 * travels as the awareness state of the server's own client id, so stock
 * y-websocket providers receive it without a custom message type.
 */
export interface PadServerState {
	/** True while the server does not accept edits (saving fails, or the session has ended). */
	readOnly: boolean;
	/** Why, in words a person can act on. */
	reason: string;
}

/** Key of the server's entry in an awareness state. */
export const SERVER_STATE_KEY = 'confidante:server';

export function serverStateOf(states: Map<number, Record<string, unknown>>): PadServerState | null {
	for (const state of states.values()) {
		const s = state[SERVER_STATE_KEY] as PadServerState | undefined;
		if (s && typeof s.readOnly === 'boolean') return s;
	}
	return null;
}
