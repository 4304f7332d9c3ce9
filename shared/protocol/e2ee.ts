/**
 * End-to-end encryption of calls: the messages browsers use to agree keys
 * the server never holds. Each browser has an ECDH P-256 key pair per call
 * and announces its public key; each sender wraps its frame key (the
 * "sender key") for every other member with a key both derive from ECDH, and
 * the server relays the ciphertext to that member only, and only between
 * people in the call. Everything is base64url and bounded.
 */
import { z } from 'zod';
import { sessionId } from './room.ts';

const base64url = (max: number) => z.string().regex(/^[A-Za-z0-9_-]+$/, 'Not base64url.').max(max);

/** An uncompressed P-256 public key (65 bytes). */
export const publicKey = base64url(88).min(86);

export const peerKey = z.object({ userId: z.string(), publicKey });
export type PeerKey = z.infer<typeof peerKey>;

/** A sender key (16 bytes) sealed with AES-GCM for one member: ciphertext with tag, and its IV. */
const sealed = { keyId: z.number().int().min(0).max(255), wrapped: base64url(64).min(40), iv: base64url(16).min(16) };

export const e2eeRequests = {
	/** Announces this tab's public key; answered with the keys of the others in the call. */
	'e2ee:publicKey': { payload: z.object({ sessionId, publicKey }).strict(), reply: z.object({ peers: z.array(peerKey) }) },
	/** This sender's key, sealed for one other member of the call. */
	'e2ee:senderKey': { payload: z.object({ sessionId, to: z.string().max(64), ...sealed }).strict(), reply: z.literal(true) }
};

export const e2eeEvents = {
	/** Someone in the call announced (or changed) their public key. */
	'e2ee:peerKey': z.object({ sessionId: z.string(), ...peerKey.shape }),
	/** Another member's sender key, sealed for this member. */
	'e2ee:senderKey': z.object({ sessionId: z.string(), from: z.string(), ...sealed })
};

/** What the call's encryption is: on when everyone in the call can do it, required when the coach says so. */
export const callPrivacy = z.object({ encrypted: z.boolean(), required: z.boolean() });
export type CallPrivacy = z.infer<typeof callPrivacy>;

/** Browser-side timing of keys (in one place with the protocol they serve). */
export const e2eeKnobs = {
	/** A frame whose key has not arrived waits this long (the key travels over the socket, the frame over RTP). */
	keyWaitMs: 1500,
	/** A sender's previous key stays this long after a rotation, for frames in flight. */
	previousKeyMs: 3000,
	/** After dropped frames, a receiver asks the sender for a key frame at most this often. */
	keyFrameRequestEveryMs: 300,
	/** Joins and leaves within this time make one rotation. */
	rotateDebounceMs: 50
};
