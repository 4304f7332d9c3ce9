/**
 * How two members of a call agree a key the server never sees: ECDH P-256
 * between their key pairs, HKDF-SHA-256 bound to the session, giving an
 * AES-GCM key that seals one sender key for one recipient. The sealed key's
 * additional data names the session, sender, recipient and key id, so the
 * relay cannot pass it off as anyone else's or as another key id.
 */
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

const text = new TextEncoder();

export function newKeyPair(): Promise<CryptoKeyPair> {
	return crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']) as Promise<CryptoKeyPair>;
}

export async function exportPublicKey(pair: CryptoKeyPair): Promise<string> {
	return encodeBase64urlNoPadding(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
}

/** The AES-GCM key that seals sender keys between this member and another (the same on both sides). */
export async function pairKey(mine: CryptoKeyPair, theirPublicKey: string, sessionId: string): Promise<CryptoKey> {
	const theirs = await crypto.subtle.importKey('raw', decodeBase64urlIgnorePadding(theirPublicKey) as Uint8Array<ArrayBuffer>, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
	const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, mine.privateKey, 256);
	const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
	return crypto.subtle.deriveKey(
		{ name: 'HKDF', hash: 'SHA-256', salt: text.encode(`confidante call ${sessionId}`), info: text.encode('sender key seal') },
		hkdf,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
}

export interface Sealed {
	keyId: number;
	wrapped: string;
	iv: string;
}

const about = (sessionId: string, from: string, to: string, keyId: number) => text.encode(`${sessionId}|${from}|${to}|${keyId}`);

export async function sealSenderKey(key: CryptoKey, raw: Uint8Array<ArrayBuffer>, who: { sessionId: string; from: string; to: string; keyId: number }): Promise<Sealed> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: about(who.sessionId, who.from, who.to, who.keyId) }, key, raw);
	return { keyId: who.keyId, wrapped: encodeBase64urlNoPadding(new Uint8Array(wrapped)), iv: encodeBase64urlNoPadding(iv) };
}

/** The sender key; throws when it was not sealed for this recipient by this sender (or was altered). */
export async function openSenderKey(key: CryptoKey, sealed: Sealed, who: { sessionId: string; from: string; to: string }): Promise<ArrayBuffer> {
	const iv = decodeBase64urlIgnorePadding(sealed.iv) as Uint8Array<ArrayBuffer>;
	const wrapped = decodeBase64urlIgnorePadding(sealed.wrapped) as Uint8Array<ArrayBuffer>;
	return crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: about(who.sessionId, who.from, who.to, sealed.keyId) }, key, wrapped);
}
