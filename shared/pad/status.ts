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

/** Key of the server's entry in an awareness state; the server strips it (and any `confidante:` key) from clients' states. */
export const SERVER_STATE_KEY = 'confidante:server';

/** Keys only the server may set in awareness. */
export const isServerOwnedKey = (key: string) => key.startsWith('confidante:');

/**
 * The awareness client id the server speaks under. Yjs gives clients random
 * 32-bit ids; the server refuses every client's awareness entry under this
 * one, so nothing a client sends can appear as the server.
 */
export const SERVER_AWARENESS_ID = 0;

/** The server's state, read from the server's own id only: anything else could be a client's. */
export function serverStateOf(states: Map<number, Record<string, unknown>>): PadServerState | null {
	const s = states.get(SERVER_AWARENESS_ID)?.[SERVER_STATE_KEY] as PadServerState | undefined;
	return s && typeof s.readOnly === 'boolean' && typeof s.reason === 'string' ? s : null;
}
