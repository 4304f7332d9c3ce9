/**
 * Passkey verification against a software authenticator made here (node's
 * crypto for the P-256 key, a few lines of CBOR): a registered passkey signs
 * in; a wrong origin, another site's relying party, a reused challenge, a
 * bad signature, a passkey of someone else and a counter that does not go
 * up are all refused. SQLite store; the browser test covers Chromium's own.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { Challenges } from '../../server/auth/second-factor/challenges.ts';
import { passkeyStore, type PasskeyStore } from '../../server/auth/second-factor/passkeys.ts';
import { createAuth } from '../../server/auth/index.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';

const site = { origin: 'https://coach.example' };
const sha = (b: Uint8Array | string) => new Uint8Array(createHash('sha256').update(b).digest());
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Just enough CBOR: unsigned and negative integers, byte and text strings, maps. */
function cbor(v: unknown): Uint8Array {
	const head = (major: number, n: number) => (n < 24 ? new Uint8Array([(major << 5) | n]) : n < 256 ? new Uint8Array([(major << 5) | 24, n]) : new Uint8Array([(major << 5) | 25, n >> 8, n & 255]));
	if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
	if (typeof v === 'string') return cat(head(3, Buffer.byteLength(v)), new Uint8Array(Buffer.from(v)));
	if (v instanceof Uint8Array) return cat(head(2, v.length), v);
	const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
	return cat(head(5, entries.length), ...entries.flatMap(([k, x]) => [cbor(k), cbor(x)]));
}

function authenticator(rpId = 'coach.example') {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const jwk = publicKey.export({ format: 'jwk' });
	const credentialId = new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
	const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))]]));
	const counter = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
	const clientData = (type: string, challenge: string, origin = site.origin) => JSON.stringify({ type, challenge, origin, crossOrigin: false });
	return {
		id: b64(credentialId),
		register(challenge: string, origin = site.origin) {
			const authData = cat(sha(rpId), new Uint8Array([0x45]), counter(0), new Uint8Array(16), new Uint8Array([0, credentialId.length]), credentialId, cose);
			return { name: 'Test key', clientDataJSON: b64(clientData('webauthn.create', challenge, origin)), attestationObject: b64(cbor({ fmt: 'none', attStmt: {}, authData })) };
		},
		answer(challenge: string, count: number, opts: { origin?: string; flags?: number; tamper?: boolean } = {}) {
			const authData = cat(sha(rpId), new Uint8Array([opts.flags ?? 0x05]), counter(count));
			const cd = clientData('webauthn.get', challenge, opts.origin);
			const signature = new Uint8Array(sign('sha256', cat(authData, sha(cd)), privateKey));
			if (opts.tamper) signature[10] = signature[10]! ^ 1;
			return { credentialId: b64(credentialId), clientDataJSON: b64(cd), authenticatorData: b64(authData), signature: b64(signature) };
		}
	};
}

let t: TestStore;
let keys: PasskeyStore;
let userId: string;
let otherId: string;
beforeAll(async () => {
	t = await openTestStore('sqlite', 'passkeys');
	keys = passkeyStore(t.store.db, new Challenges());
	const auth = createAuth(t.store.db);
	const a = await auth.createAccount({ name: 'Pia Passkey', email: 'pia@example.org', password: 'a long enough password' });
	const b = await auth.createAccount({ name: 'Otto Other', email: 'otto@example.org', password: 'a long enough password' });
	if (!a.ok || !b.ok) throw new Error('accounts');
	userId = a.value.user.id;
	otherId = b.value.user.id;
});
afterAll(() => t?.close());

const registrationChallenge = async (id = userId) => (await keys.registrationOptions(id, { email: 'pia@example.org', name: 'Pia' }, site)).challenge;
const signInChallenge = async (id: string | null) => (await keys.signInOptions(id, site)).challenge;

it('registers a passkey only for a live challenge of this person, from this origin and relying party', async () => {
	const key = authenticator();
	expect(await keys.register(userId, key.register('never-issued'), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	expect(await keys.register(userId, key.register(await registrationChallenge(otherId)), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	expect(await keys.register(userId, key.register(await registrationChallenge(), 'https://evil.example'), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	expect(await keys.register(userId, authenticator('evil.example').register(await registrationChallenge()), site)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	expect(await keys.register(userId, { ...key.register(await registrationChallenge()), attestationObject: b64('not cbor') }, site)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	expect(await keys.count(userId)).toBe(0);
	const challenge = await registrationChallenge();
	expect(await keys.register(userId, key.register(challenge), site)).toEqual({ ok: true, value: { name: 'Test key' } });
	// The same challenge again: used up.
	expect(await keys.register(userId, key.register(challenge), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	expect(await keys.list(userId)).toMatchObject([{ id: key.id, name: 'Test key', lastUsedAt: null }]);
});

it('signs in with its signature, refuses tampering, strangers, wrong origins, reused challenges and a counter that does not rise', async () => {
	const key = authenticator();
	await keys.register(userId, key.register(await registrationChallenge()), site);
	const c1 = await signInChallenge(null);
	expect(await keys.verify(null, key.answer(c1, 1), site)).toEqual({ ok: true, value: { userId, name: 'Test key' } });
	expect(await keys.verify(null, key.answer(c1, 2), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 3, { tamper: true }), site)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 3, { origin: 'https://evil.example' }), site)).toMatchObject({ ok: false, error: { code: 'gone' } });
	// Without a password the authenticator must have verified its owner (UV flag); as a second factor presence is enough.
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 3, { flags: 0x01 }), site)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
	expect(await keys.verify(userId, key.answer(await signInChallenge(userId), 3, { flags: 0x01 }), site)).toMatchObject({ ok: true });
	// As someone else's second factor it is refused.
	expect(await keys.verify(otherId, key.answer(await signInChallenge(otherId), 4), site)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
	// The counter went to 3: 3 again (a copied authenticator) is refused, 10 works.
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 3), site)).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: expect.stringContaining('copied') } });
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 10), site)).toMatchObject({ ok: true });
	expect((await keys.list(userId)).find((k) => k.id === key.id)?.lastUsedAt).not.toBeNull();
});

it('removes only the owner’s passkey', async () => {
	const key = authenticator();
	await keys.register(userId, key.register(await registrationChallenge()), site);
	expect(await keys.remove(otherId, key.id)).toBeNull();
	expect(await keys.remove(userId, key.id)).toBe('Test key');
	expect(await keys.verify(null, key.answer(await signInChallenge(null), 1), site)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
});
