/**
 * Signalling for a one-to-one call sent peer to peer (an RTCPeerConnection
 * between the two browsers, "perfect negotiation"). A browser sends a
 * description, an ICE candidate or "give up, use the server" to the server,
 * which relays it to the one other person in the call: the sender never
 * names a target, so it cannot reach anyone else. Bounds keep a crafted
 * payload small: a real offer with audio, two videos and a data channel is
 * about 8 kB of SDP.
 */
import { z } from 'zod';
import { sessionId } from './room.ts';

/** Longest SDP relayed; several times a real one, far below socket.io's buffer. */
export const MAX_SDP_CHARS = 32_000;
/** Longest candidate line relayed (a real one is ~150 characters). */
export const MAX_CANDIDATE_CHARS = 1_024;

const description = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(MAX_SDP_CHARS) }).strict();
const candidate = z
	.object({
		candidate: z.string().max(MAX_CANDIDATE_CHARS),
		sdpMid: z.string().max(32).nullable().optional(),
		sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
		usernameFragment: z.string().max(256).nullable().optional()
	})
	.strict();

export const directSignal = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('description'), description }).strict(),
	z.object({ kind: z.literal('candidate'), candidate }).strict(),
	/** The direct connection did not come up in time: both move to the SFU. */
	z.object({ kind: z.literal('fallback') }).strict()
]);
export type DirectSignal = z.infer<typeof directSignal>;

/** Set by the server: how long a browser waits for the direct connection before the SFU. */
const directSettings = z.object({
	connectTimeoutMs: z.number().int().positive(),
	/** Longest a move to the SFU waits for the other's confirmation before closing the direct connection anyway. */
	switchWaitMs: z.number().int().positive(),
	/** How long a direct connection outlives the other person's absence from the call (a server restart empties it for a moment). */
	aloneGraceMs: z.number().int().positive(),
	/** The video bitrate a browser starts sending at on the direct path (its own default lets the first key frame out slowly). */
	startBitrateKbps: z.number().int().positive(),
	/** Outside production: the page may honour `?direct=off` and `?direct=blocked` (tests, benchmarks). */
	testSwitches: z.boolean()
});
export type DirectSettings = z.infer<typeof directSettings>;
export { directSettings };

export const directRequests = {
	/** Relayed to the other person in this session's call, if there is exactly one. */
	'media:direct': { payload: z.object({ sessionId, signal: directSignal }).strict(), reply: z.literal(true) }
};

export const directEvents = {
	'media:direct': z.object({ sessionId: z.string(), from: z.string(), signal: directSignal })
};
