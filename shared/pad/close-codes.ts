/**
 * Every close code the pad's sync endpoint uses, in one place for the server
 * and the browser (the README lists them too). Stock y-websocket providers stop reconnecting on
 * 4400-4499 ("reconnecting cannot fix this") and retry with backoff on
 * everything else, so the codes are chosen by that rule: a refusal is 44xx,
 * a "try again later" is 45xx.
 */
export const CloseCode = {
	/** Server shutting down or restarting (standard "going away"); clients reconnect. */
	goingAway: 1001,
	/** A frame larger than limits.pad.maxMessageBytes (standard; `ws` sends it itself). */
	messageTooBig: 1009,
	/** A message that is not valid y-websocket sync/awareness protocol. */
	badMessage: 4400,
	/** Not signed in (no or expired session cookie). */
	unauthenticated: 4401,
	/** Signed in but not allowed: a coachee asking for the coach's private notes, or a foreign Origin. */
	forbidden: 4403,
	/** The engagement's coach requires two-factor sign-in and this person has not set it up (reconnecting cannot fix it). */
	twoFactorRequired: 4428,
	/** No such document, or the session is not the person's (same answer, no hint it exists). */
	notFound: 4404,
	/**
	 * This person opened the document in more connections than their share
	 * (limits.pad.maxConnectionsPerUser): their oldest is closed for the newest.
	 */
	displaced: 4409,
	/** The document would grow beyond limits.pad.maxDocBytes. */
	documentTooLarge: 4413,
	/** An update whose declared structure exceeds the bounds, or took too long to apply (yjs issue 687). */
	updateRejected: 4422,
	/** Too many messages too fast (limits.pad.messagesPerSecond); the client may come back after backoff. */
	rateLimited: 4529,
	/** The server could not check the sign-in (database down); try again later. */
	unavailable: 4503
} as const;

export type CloseCodeName = keyof typeof CloseCode;

const NAMES = new Map<number, CloseCodeName>(Object.entries(CloseCode).map(([name, code]) => [code, name as CloseCodeName]));

/** The name of a close code the pad uses, or undefined for any other code. */
export function closeCodeName(code: number): CloseCodeName | undefined {
	return NAMES.get(code);
}
