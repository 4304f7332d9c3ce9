/**
 * The browser's side of passkeys: asks the server for options, calls the
 * WebAuthn API directly (navigator.credentials), and posts the answer back
 * as JSON with binary values in base64url.
 */
import { PASSKEY_ALGORITHMS, type PasskeyAssertion, type PasskeyCreationOptions, type PasskeyRequestOptions } from '$shared/accounts/passkey-options.ts';

const fromB64url = (s: string): ArrayBuffer => {
	const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out.buffer;
};
const toB64url = (b: ArrayBuffer): string => {
	let bin = '';
	for (const byte of new Uint8Array(b)) bin += String.fromCharCode(byte);
	return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

export const passkeysSupported = () => typeof window !== 'undefined' && 'PublicKeyCredential' in window && !!navigator.credentials;

/** What went wrong, in words a person can act on. */
export function passkeyProblem(e: unknown): string {
	if (e instanceof DOMException && e.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out. Try again.';
	if (e instanceof DOMException && e.name === 'InvalidStateError') return 'This authenticator holds a passkey for your account already.';
	return e instanceof Error ? e.message : 'The passkey did not work. Try again.';
}

async function json<T>(res: Response): Promise<T> {
	const body = (await res.json().catch(() => ({}))) as T & { message?: string };
	if (!res.ok) throw new Error(body.message ?? 'The server could not answer; try again.');
	return body;
}

/** Creates a passkey on this device and posts it to `url` (which also gave the options). */
export async function createPasskey(url: string, name: string): Promise<{ name: string; recoveryCodes: string[] | null }> {
	const o = await json<PasskeyCreationOptions>(await fetch(url));
	const cred = (await navigator.credentials.create({
		publicKey: {
			challenge: fromB64url(o.challenge),
			rp: o.rp,
			user: { id: fromB64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
			pubKeyCredParams: PASSKEY_ALGORITHMS.map((alg) => ({ type: 'public-key' as const, alg })),
			excludeCredentials: o.excludeCredentials.map((id) => ({ type: 'public-key' as const, id: fromB64url(id) })),
			authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
			attestation: 'none',
			timeout: 120_000
		}
	})) as PublicKeyCredential | null;
	if (!cred) throw new Error('No passkey was made. Try again.');
	const r = cred.response as AuthenticatorAttestationResponse;
	return json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject) }) }));
}

/** Signs the server's challenge from `url` with a passkey and posts the answer; returns where to go next. */
export async function usePasskey(url: string): Promise<{ location: string }> {
	const o = await json<PasskeyRequestOptions>(await fetch(url));
	const cred = (await navigator.credentials.get({
		publicKey: {
			challenge: fromB64url(o.challenge),
			rpId: o.rpId,
			allowCredentials: o.allowCredentials.map((id) => ({ type: 'public-key' as const, id: fromB64url(id) })),
			userVerification: o.allowCredentials.length ? 'preferred' : 'required',
			timeout: 120_000
		}
	})) as PublicKeyCredential | null;
	if (!cred) throw new Error('No passkey was used. Try again.');
	const r = cred.response as AuthenticatorAssertionResponse;
	const answer: PasskeyAssertion = { credentialId: toB64url(cred.rawId), clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData), signature: toB64url(r.signature) };
	return json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) }));
}
