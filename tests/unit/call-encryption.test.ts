/**
 * End-to-end encryption of call frames (issue 18): what the SFU still reads
 * stays in clear, everything else is sealed; a rotated key opens new frames
 * and the old key (what a person who left still holds) does not; a sender
 * key sealed for one member opens only for that member.
 */
import { describe, expect, it } from 'vitest';
import { clearBytes, decryptFrame, encryptFrame, frameKey, keyIdOf, newRawKey } from '../../web/src/lib/room/e2ee/frame-crypto.ts';
import { exportPublicKey, newKeyPair, openSenderKey, pairKey, sealSenderKey } from '../../web/src/lib/room/e2ee/key-exchange.ts';
import { privacyMode, privacyWords } from '../../web/src/lib/room/privacy-mode.ts';

const vp8 = (key: boolean, size = 400) => {
	const f = crypto.getRandomValues(new Uint8Array(size));
	f[0] = key ? f[0]! & 0xfe : f[0]! | 0x01;
	if (key) f.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 3);
	return f;
};

describe('frame encryption', () => {
	it('leaves the VP8 header (10 bytes on key frames, 3 otherwise) and the Opus TOC in clear, and seals the rest', async () => {
		const key = await frameKey(newRawKey());
		for (const [kind, frame, clear] of [['video', vp8(true), 10], ['video', vp8(false), 3], ['audio', crypto.getRandomValues(new Uint8Array(80)), 1]] as const) {
			const sealed = await encryptFrame(key, 7, kind, frame);
			expect(clearBytes(kind, frame)).toBe(clear);
			expect([...sealed.subarray(0, clear)]).toEqual([...frame.subarray(0, clear)]);
			// The key frame bit mediasoup reads is unchanged.
			expect(sealed[0]! & 1).toBe(frame[0]! & 1);
			// Nothing of the body shows: no 16-byte run of it appears in the sealed frame.
			const body = Buffer.from(frame.subarray(clear, clear + 16));
			expect(Buffer.from(sealed).indexOf(body)).toBe(-1);
			expect(keyIdOf(sealed)).toBe(7);
			expect([...(await decryptFrame(key, kind, sealed))]).toEqual([...frame]);
		}
	});

	it('tells a frame in clear from a sealed one', async () => {
		expect(keyIdOf(vp8(false))).toBe(null);
		expect(keyIdOf(new Uint8Array([1, 2, 3]))).toBe(null);
	});

	it('refuses a frame whose clear header was altered', async () => {
		const key = await frameKey(newRawKey());
		const sealed = await encryptFrame(key, 1, 'video', vp8(true));
		sealed[5] = sealed[5]! ^ 0xff;
		await expect(decryptFrame(key, 'video', sealed)).rejects.toThrow();
	});

	it('after a rotation the old key cannot open new frames, the new key can', async () => {
		const oldKey = await frameKey(newRawKey());
		const newKey = await frameKey(newRawKey());
		const frame = vp8(true);
		const sealed = await encryptFrame(newKey, 2, 'video', frame);
		await expect(decryptFrame(oldKey, 'video', sealed)).rejects.toThrow();
		expect([...(await decryptFrame(newKey, 'video', sealed))]).toEqual([...frame]);
	});
});

describe('sender key exchange', () => {
	it('seals a sender key that only its recipient opens, and only as sent', async () => {
		const [a, b, c] = await Promise.all([newKeyPair(), newKeyPair(), newKeyPair()]);
		const [pa, pb, pc] = await Promise.all([exportPublicKey(a), exportPublicKey(b), exportPublicKey(c)]);
		expect(pa).toMatch(/^[A-Za-z0-9_-]{87}$/);
		const raw = newRawKey();
		const who = { sessionId: 's1', from: 'alice', to: 'bob', keyId: 5 };
		const sealed = await sealSenderKey(await pairKey(a, pb, 's1'), raw, who);
		// Bob derives the same pair key from his side.
		expect(new Uint8Array(await openSenderKey(await pairKey(b, pa, 's1'), sealed, who))).toEqual(raw);
		// Carol (or the server) with her own key pair cannot open it.
		await expect(openSenderKey(await pairKey(c, pa, 's1'), sealed, { ...who, to: 'carol' })).rejects.toThrow();
		// Relabelled (another recipient, key id or session), it does not open either.
		await expect(openSenderKey(await pairKey(b, pa, 's1'), { ...sealed, keyId: 6 }, who)).rejects.toThrow();
		await expect(openSenderKey(await pairKey(b, pa, 's2'), sealed, { ...who, sessionId: 's2' })).rejects.toThrow();
		expect(pc).not.toBe(pb);
	});
});

describe('the call privacy badge', () => {
	it('says direct for the peer-to-peer path, end-to-end through the SFU when encrypted, and to the server otherwise', () => {
		expect(privacyMode('direct', false)).toBe('direct');
		expect(privacyMode('direct', true)).toBe('direct');
		expect(privacyMode('sfu', true)).toBe('e2ee');
		expect(privacyMode('sfu', false)).toBe('server');
		expect(Object.values(privacyWords).map((w) => w.label)).toEqual(['Direct, end-to-end encrypted', 'End-to-end encrypted', 'Encrypted to the server']);
	});
});
