/**
 * Passkeys (WebAuthn), verified with @oslojs/webauthn: a person registers
 * one or more (named, removable), and uses one as their second factor or to
 * sign in without a password. Attestation is not asked for (`none`): what
 * matters is that the same authenticator signs later. Every answer is
 * checked for its challenge (single use), origin, relying party, user
 * presence and, when signing in, its signature and counter (a counter that
 * does not go up means a cloned authenticator, refused).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { sha256 } from '@oslojs/crypto/sha2';
import { ECDSAPublicKey, decodePKIXECDSASignature, p256, verifyECDSASignature } from '@oslojs/crypto/ecdsa';
import { RSAPublicKey, sha256ObjectIdentifier, verifyRSASSAPKCS1v15Signature } from '@oslojs/crypto/rsa';
import { ClientDataType, coseAlgorithmES256, coseAlgorithmRS256, createAssertionSignatureMessage, parseAttestationObject, parseAuthenticatorData, parseClientDataJSON, type COSEPublicKey } from '@oslojs/webauthn';
import { limits } from '../../config/index.ts';
import type { Database } from '../../store/index.ts';
import { fail, ok, type Result } from '../../../shared/result.ts';
import type { Challenges, ChallengePurpose } from './challenges.ts';

const b64 = z.string().min(1).max(16_384).regex(/^[A-Za-z0-9_-]+=*$/);
export const registrationForm = z.object({ name: z.string().trim().min(1, 'Name the passkey (e.g. "Work laptop").').max(60), clientDataJSON: b64, attestationObject: b64 });
export const assertionForm = z.object({ credentialId: b64, clientDataJSON: b64, authenticatorData: b64, signature: b64 });

export interface PasskeyView {
	id: string;
	name: string;
	createdAt: number;
	lastUsedAt: number | null;
}

/** Where the browser must be: the origin the page was served from, and its host name as the relying party id. */
export interface Site {
	origin: string;
}

const rpIdOf = (site: Site) => new URL(site.origin).hostname;

/** Checks client data of the given type for a live challenge made for `purpose`, from this origin. */
function clientDataOk(raw: Uint8Array, type: ClientDataType, challenges: Challenges, purpose: ChallengePurpose, site: Site): boolean {
	const data = parseClientDataJSON(raw);
	return data.type === type && data.origin === site.origin && data.crossOrigin !== true && challenges.use(data.challenge, purpose);
}

function storedKey(key: COSEPublicKey): { algorithm: number; publicKey: string } | null {
	const algorithm = key.algorithm();
	if (algorithm === coseAlgorithmES256) {
		const { curve, x, y } = key.ec2();
		return curve === 1 ? { algorithm, publicKey: JSON.stringify({ x: x.toString(16), y: y.toString(16) }) } : null;
	}
	if (algorithm === coseAlgorithmRS256) {
		const { n, e } = key.rsa();
		return { algorithm, publicKey: JSON.stringify({ n: n.toString(16), e: e.toString(16) }) };
	}
	return null;
}

function signatureOk(algorithm: number, publicKey: string, message: Uint8Array, signature: Uint8Array): boolean {
	const k = JSON.parse(publicKey) as Record<string, string>;
	const hash = sha256(message);
	if (algorithm === coseAlgorithmES256) return verifyECDSASignature(new ECDSAPublicKey(p256, BigInt(`0x${k.x}`), BigInt(`0x${k.y}`)), hash, decodePKIXECDSASignature(signature));
	if (algorithm === coseAlgorithmRS256) return verifyRSASSAPKCS1v15Signature(new RSAPublicKey(BigInt(`0x${k.n}`), BigInt(`0x${k.e}`)), sha256ObjectIdentifier, hash, signature);
	return false;
}

export function passkeyStore(db: Kysely<Database>, challenges: Challenges) {
	const ofUser = (userId: string) => db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();

	return {
		async list(userId: string): Promise<PasskeyView[]> {
			return (await ofUser(userId)).map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at) }));
		},

		async count(userId: string): Promise<number> {
			return (await ofUser(userId)).length;
		},

		/** What `navigator.credentials.create` needs, with a fresh challenge for this person. */
		async registrationOptions(userId: string, user: { email: string; name: string }, site: Site) {
			const { id } = challenges.issue({ kind: 'register', userId });
			return {
				challenge: id,
				rp: { id: rpIdOf(site), name: 'Confidante' },
				user: { id: encodeBase64urlNoPadding(new TextEncoder().encode(userId)), name: user.email, displayName: user.name },
				excludeCredentials: (await ofUser(userId)).map((r) => r.id)
			};
		},

		async register(userId: string, input: unknown, site: Site): Promise<Result<{ name: string }>> {
			const parsed = registrationForm.safeParse(input);
			if (!parsed.success) return fail('invalid_input', parsed.error.issues[0]?.message ?? 'The passkey could not be read; try again.', 'name');
			if ((await ofUser(userId)).length >= limits.auth.twoFactor.passkeysPerAccount) return fail('conflict', `You have ${limits.auth.twoFactor.passkeysPerAccount} passkeys already; remove one first.`);
			try {
				if (!clientDataOk(decodeBase64urlIgnorePadding(parsed.data.clientDataJSON), ClientDataType.Create, challenges, { kind: 'register', userId }, site)) {
					return fail('gone', 'This passkey request expired or came from elsewhere; try adding it again.');
				}
				const { authenticatorData: auth } = parseAttestationObject(decodeBase64urlIgnorePadding(parsed.data.attestationObject));
				if (!auth.verifyRelyingPartyIdHash(rpIdOf(site)) || !auth.userPresent || !auth.credential) return fail('invalid_input', 'The passkey was not made for this site; try again.');
				const key = storedKey(auth.credential.publicKey);
				if (!key) return fail('invalid_input', 'This kind of passkey is not supported; try another authenticator.');
				await db
					.insertInto('passkeys')
					.values({ id: encodeBase64urlNoPadding(auth.credential.id), user_id: userId, name: parsed.data.name, algorithm: key.algorithm, public_key: key.publicKey, sign_count: auth.signatureCounter, created_at: Date.now(), last_used_at: null })
					.execute();
				return ok({ name: parsed.data.name });
			} catch {
				// Malformed CBOR or JSON from the browser (or a duplicate credential id): a clear refusal, nothing stored.
				return fail('invalid_input', 'The passkey could not be read; try again.');
			}
		},

		/** What `navigator.credentials.get` needs: for a second factor, the person's passkeys; to sign in, any. */
		async signInOptions(userId: string | null, site: Site) {
			const { id } = challenges.issue({ kind: 'sign-in', userId });
			return { challenge: id, rpId: rpIdOf(site), allowCredentials: userId ? (await ofUser(userId)).map((r) => r.id) : [] };
		},

		/** The person whose passkey signed this challenge (their own, when `userId` is given), or a refusal. */
		async verify(userId: string | null, input: unknown, site: Site): Promise<Result<{ userId: string; name: string }>> {
			const parsed = assertionForm.safeParse(input);
			if (!parsed.success) return fail('invalid_input', 'The passkey answer could not be read; try again.');
			const refused = fail('unauthenticated', 'That passkey did not work here. Try again, or use another way to sign in.');
			try {
				const row = await db.selectFrom('passkeys').selectAll().where('id', '=', parsed.data.credentialId).executeTakeFirst();
				const clientData = decodeBase64urlIgnorePadding(parsed.data.clientDataJSON);
				// The challenge is used up whatever follows, so an answer can be tried once only.
				if (!clientDataOk(clientData, ClientDataType.Get, challenges, { kind: 'sign-in', userId }, site)) return fail('gone', 'This passkey request expired; try again.');
				if (!row || (userId !== null && row.user_id !== userId)) return refused;
				const rawAuth = decodeBase64urlIgnorePadding(parsed.data.authenticatorData);
				const auth = parseAuthenticatorData(rawAuth);
				// Without a password, the authenticator must have checked it is its owner (PIN, fingerprint).
				if (!auth.verifyRelyingPartyIdHash(rpIdOf(site)) || !auth.userPresent || (userId === null && !auth.userVerified)) return refused;
				if (!signatureOk(row.algorithm, row.public_key, createAssertionSignatureMessage(rawAuth, clientData), decodeBase64urlIgnorePadding(parsed.data.signature))) return refused;
				const stored = Number(row.sign_count);
				if ((stored > 0 || auth.signatureCounter > 0) && auth.signatureCounter <= stored) return fail('unauthenticated', 'This passkey looks copied (its counter went back). Remove it and add it again.');
				await db.updateTable('passkeys').set({ sign_count: auth.signatureCounter, last_used_at: Date.now() }).where('id', '=', row.id).execute();
				return ok({ userId: row.user_id, name: row.name });
			} catch {
				return refused;
			}
		},

		async remove(userId: string, id: string): Promise<string | null> {
			const row = await db.selectFrom('passkeys').select('name').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
			if (!row) return null;
			await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).execute();
			return row.name;
		}
	};
}

export type PasskeyStore = ReturnType<typeof passkeyStore>;
