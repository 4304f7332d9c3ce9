/**
 * End-to-end encryption of one encoded media frame (SFrame-style): AES-GCM
 * with the sender's key over the frame's body, the codec header a forwarder
 * needs left in clear (and authenticated as additional data), and a trailer
 * with the IV and the key id so the receiver knows which key to use.
 *
 * Clear bytes:
 * - VP8: the frame tag says whether it is a key frame (bit 0 of byte 0 is 0);
 *   mediasoup reads it for key-frame detection and simulcast layer switches,
 *   and Chromium's depacketizer reads the size from a key frame's first 10
 *   bytes (3-byte tag, start code, width, height). Key frames keep 10, others 3.
 * - Opus: the TOC byte (1).
 * The VP8 payload descriptor (picture id, temporal layer) is added by the
 * packetizer after the transform, so the SFU still rewrites it as before.
 *
 * Layout: clear header | ciphertext + 16-byte tag | IV (12) | key id (1) | MARK (1)
 */

export const MARK = 0xe5;
export const IV_BYTES = 12;
export const TRAILER_BYTES = IV_BYTES + 2;
const TAG_BYTES = 16;

export type FrameKind = 'audio' | 'video';

/** How many leading bytes stay in clear for the SFU and the receiving browser's depacketizer. */
export function clearBytes(kind: FrameKind, frame: Uint8Array<ArrayBuffer>): number {
	if (kind === 'audio') return Math.min(1, frame.length);
	const keyFrame = frame.length > 0 && (frame[0]! & 0x01) === 0;
	return Math.min(keyFrame ? 10 : 3, frame.length);
}

/** The key id of an encrypted frame, or null for a frame without our trailer (sent in clear). */
export function keyIdOf(frame: Uint8Array): number | null {
	if (frame.length < TRAILER_BYTES + TAG_BYTES || frame[frame.length - 1] !== MARK) return null;
	return frame[frame.length - 2]!;
}

/** A raw 128-bit AES-GCM sender key as a CryptoKey for frames. */
export function frameKey(raw: BufferSource): Promise<CryptoKey> {
	return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

export function newRawKey(): Uint8Array<ArrayBuffer> {
	return crypto.getRandomValues(new Uint8Array(16));
}

export async function encryptFrame(key: CryptoKey, keyId: number, kind: FrameKind, frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
	const clear = clearBytes(kind, frame);
	const header = frame.subarray(0, clear);
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, frame.subarray(clear)));
	const out = new Uint8Array(clear + sealed.length + TRAILER_BYTES);
	out.set(header, 0);
	out.set(sealed, clear);
	out.set(iv, clear + sealed.length);
	out[out.length - 2] = keyId & 0xff;
	out[out.length - 1] = MARK;
	return out;
}

/** The original frame; throws (OperationError) when the key is wrong or the frame was altered. */
export async function decryptFrame(key: CryptoKey, kind: FrameKind, frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
	const iv = frame.subarray(frame.length - TRAILER_BYTES, frame.length - 2);
	const clear = clearBytes(kind, frame);
	const header = frame.subarray(0, clear);
	const body = frame.subarray(clear, frame.length - TRAILER_BYTES);
	const opened = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key, body));
	const out = new Uint8Array(clear + opened.length);
	out.set(header, 0);
	out.set(opened, clear);
	return out;
}
