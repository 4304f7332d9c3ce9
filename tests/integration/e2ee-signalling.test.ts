/**
 * The key exchange of end-to-end encrypted calls over the real server and
 * socket.io (issue 18): public keys and sealed sender keys go only between
 * people in the call (not to someone on the pre-join screen, not to
 * anyone outside the session); malformed and out-of-order messages get a
 * code; the call's encryption mode follows who is in it; and once the coach
 * requires end-to-end encryption (only the coach can), a browser that cannot
 * encrypt is refused its media, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, joinAsSponsor, uniqueEmail, userIdOn } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import type { MediaCapabilities, MediaJoined } from '../../shared/protocol/media.ts';
import { exportPublicKey, newKeyPair, pairKey, sealSenderKey } from '../../web/src/lib/room/e2ee/key-exchange.ts';
import { newRawKey } from '../../web/src/lib/room/e2ee/frame-crypto.ts';

const rtpCapabilities = { codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 }], headerExtensions: [] };
const peerId = () => `peer_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

/** A socket that remembers every event the server pushed to it. */
interface Listener {
	socket: ClientSocket;
	heard: Array<{ event: string; msg: Record<string, unknown> }>;
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`e2ee signalling on ${db}`, () => {
		let server: TestServer;
		const sockets: ClientSocket[] = [];
		beforeAll(async () => {
			server = await startServer({ db, env: { MEDIA_WORKERS: '1' } });
		});
		afterAll(async () => {
			for (const s of sockets) s.close();
			await server?.cleanup();
		});

		async function listenerOf(v: Visitor, sessionId: string): Promise<Listener> {
			const socket = connect(server.url, v.cookie);
			sockets.push(socket);
			const heard: Listener['heard'] = [];
			socket.onAny((event: string, msg: Record<string, unknown>) => heard.push({ event, msg }));
			await connected(socket);
			expect(await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
			return { socket, heard };
		}

		const join = (l: Listener, sessionId: string, e2ee: boolean, entering = true) => request<MediaJoined>(l.socket, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering, e2ee });
		const heardOf = (l: Listener, event: string) => l.heard.filter((h) => h.event === event).map((h) => h.msg);
		const settle = () => new Promise((r) => setTimeout(r, 300));

		it('relays public keys and sealed sender keys only between people in the call', async () => {
			const group = await coachingPair(server.url, { coachees: 2 });
			const { sessionId } = group;
			const [coachId, samId, alexId] = (await Promise.all([group.coach, ...group.coachees].map((v) => userIdOn(v, sessionId)))) as [string, string, string];
			const coach = await listenerOf(group.coach, sessionId);
			const sam = await listenerOf(group.coachees[0]!, sessionId);
			const alex = await listenerOf(group.coachees[1]!, sessionId);
			const coachJoined = await join(coach, sessionId, true);
			expect(coachJoined).toMatchObject({ ok: true, value: { privacy: { encrypted: true, required: false } } });
			await join(sam, sessionId, true);
			// Alex only looks at the pre-join screen.
			await join(alex, sessionId, true, false);

			const [kc, ks, ka] = await Promise.all([newKeyPair(), newKeyPair(), newKeyPair()]);
			const [pc, ps, pa] = await Promise.all([exportPublicKey(kc), exportPublicKey(ks), exportPublicKey(ka)]);
			// Someone not in the call can neither announce a key nor send one.
			expect(await request(alex.socket, 'e2ee:publicKey', { sessionId, publicKey: pa })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
			expect(await request(coach.socket, 'e2ee:publicKey', { sessionId, publicKey: pc })).toEqual({ ok: true, value: { peers: [] } });
			expect(await request(sam.socket, 'e2ee:publicKey', { sessionId, publicKey: ps })).toEqual({ ok: true, value: { peers: [{ userId: coachId, publicKey: pc }] } });
			await settle();
			expect(heardOf(coach, 'e2ee:peerKey')).toEqual([{ sessionId, userId: samId, publicKey: ps }]);
			expect(heardOf(alex, 'e2ee:peerKey')).toEqual([]);

			// The coach's sender key, sealed for Sam: Sam gets exactly the ciphertext, nobody else anything.
			const sealed = await sealSenderKey(await pairKey(kc, ps, sessionId), newRawKey(), { sessionId, from: coachId, to: samId, keyId: 9 });
			expect(await request(coach.socket, 'e2ee:senderKey', { sessionId, to: samId, ...sealed })).toEqual({ ok: true, value: true });
			expect(await request(coach.socket, 'e2ee:senderKey', { sessionId, to: alexId, ...sealed })).toMatchObject({ ok: false, error: { code: 'not_found' } });
			expect(await request(coach.socket, 'e2ee:senderKey', { sessionId, to: coachId, ...sealed })).toMatchObject({ ok: false, error: { code: 'not_found' } });
			expect(await request(alex.socket, 'e2ee:senderKey', { sessionId, to: samId, ...sealed })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
			await settle();
			expect(heardOf(sam, 'e2ee:senderKey')).toEqual([{ sessionId, from: coachId, ...sealed }]);
			expect(heardOf(alex, 'e2ee:senderKey')).toEqual([]);
			expect(heardOf(coach, 'e2ee:senderKey')).toEqual([]);

			// Malformed: not base64url, too long, unknown fields, a key id out of range.
			for (const payload of [
				{ sessionId, publicKey: 'not a key!' },
				{ sessionId, publicKey: 'A'.repeat(400) },
				{ sessionId, publicKey: pc, extra: 1 }
			]) {
				expect(await request(coach.socket, 'e2ee:publicKey', payload)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
			}
			expect(await request(coach.socket, 'e2ee:senderKey', { sessionId, to: samId, ...sealed, keyId: 256 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

			// Someone entering without encryption: everyone is told the call is now encrypted only to the server.
			const before = heardOf(coach, 'media:inCall').length;
			expect(await join(alex, sessionId, false)).toMatchObject({ ok: true, value: { privacy: { encrypted: false } } });
			await settle();
			expect(heardOf(coach, 'media:inCall').slice(before).at(-1)).toMatchObject({ userIds: expect.arrayContaining([coachId, samId, alexId]), privacy: { encrypted: false } });
			// A browser that said it cannot encrypt has no key to announce.
			expect(await request(alex.socket, 'e2ee:publicKey', { sessionId, publicKey: pa })).toMatchObject({ ok: false, error: { code: 'conflict' } });
			// After Sam leaves, the coach cannot send Sam keys any more.
			expect(await request(sam.socket, 'media:leave', { sessionId })).toMatchObject({ ok: true });
			expect(await request(coach.socket, 'e2ee:senderKey', { sessionId, to: samId, ...sealed, keyId: 10 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		});

		it('takes the public key with the join that enters the call, and answers with the keys of the others in it', async () => {
			const group = await coachingPair(server.url, { coachees: 2 });
			const { sessionId } = group;
			const [coachId, samId] = (await Promise.all([group.coach, group.coachees[0]!].map((v) => userIdOn(v, sessionId)))) as [string, string];
			const coach = await listenerOf(group.coach, sessionId);
			const sam = await listenerOf(group.coachees[0]!, sessionId);
			const alex = await listenerOf(group.coachees[1]!, sessionId);
			const [pc, ps, pa] = (await Promise.all([newKeyPair(), newKeyPair(), newKeyPair()].map(async (k) => exportPublicKey(await k)))) as [string, string, string];
			const joinWithKey = (l: Listener, publicKey: string, entering = true, e2ee = true) =>
				request<MediaJoined>(l.socket, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering, e2ee, publicKey });

			expect(await joinWithKey(coach, pc)).toMatchObject({ ok: true, value: { peerKeys: [] } });
			// On the pre-join screen a key is neither taken nor answered with the others'.
			const looking = await joinWithKey(alex, pa, false);
			expect(looking.ok && looking.value.peerKeys).toBeFalsy();
			expect(await joinWithKey(sam, ps)).toMatchObject({ ok: true, value: { peerKeys: [{ userId: coachId, publicKey: pc }] } });
			await settle();
			// The coach hears Sam's key at once (no e2ee:publicKey needed); Alex, not in the call, hears nothing.
			expect(heardOf(coach, 'e2ee:peerKey')).toEqual([{ sessionId, userId: samId, publicKey: ps }]);
			expect(heardOf(alex, 'e2ee:peerKey')).toEqual([]);
			// A browser that says it cannot encrypt enters without its key being taken.
			const plain = await joinWithKey(alex, pa, true, false);
			expect(plain.ok && plain.value.peerKeys).toBeFalsy();
			await settle();
			expect(heardOf(coach, 'e2ee:peerKey')).toHaveLength(1);
			// A malformed key refuses the join as a whole.
			expect(await joinWithKey(sam, 'not a key!')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
		});

		it('only the coach requires end-to-end encryption; then a browser that cannot encrypt gets no media', async () => {
			const pair = await coachingPair(server.url);
			const { sessionId, engagementId } = pair;
			const { sponsor } = await joinAsSponsor(server.url, pair.coach, engagementId);
			const stranger = new Visitor(server.url);
			await stranger.signUp('Olly Outsider', uniqueEmail('olly'));
			const signedOut = new Visitor(server.url);
			const path = `/engagements/${engagementId}?/callPrivacy`;
			for (const who of [pair.coachee, sponsor, stranger]) expect(await who.action(path, { requireE2ee: 'on' })).toMatchObject({ type: 'failure', status: 404 });
			expect((await signedOut.action(path, { requireE2ee: 'on' })).type).toBe('redirect');
			const sam = await listenerOf(pair.coachee, sessionId);
			expect(await request<MediaCapabilities>(sam.socket, 'media:capabilities', { sessionId })).toMatchObject({ ok: true, value: { e2eeRequired: false } });

			expect(await pair.coach.action(path, { requireE2ee: 'on' })).toMatchObject({ type: 'success', data: { callPrivacy: { requireE2ee: true, canChange: true } } });
			expect(await request<MediaCapabilities>(sam.socket, 'media:capabilities', { sessionId })).toMatchObject({ ok: true, value: { e2eeRequired: true } });
			const refused = await join(sam, sessionId, false);
			expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/requires end-to-end encrypted calls/) } });
			// Without a place in the call, the rest of the media requests are refused too.
			expect(await request(sam.socket, 'media:createTransports', { sessionId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
			// The same person from a browser that encrypts gets in, into a call marked required.
			expect(await join(sam, sessionId, true)).toMatchObject({ ok: true, value: { privacy: { encrypted: true, required: true } } });

			// Switched off again by the coach: the browser that cannot encrypt may join.
			expect(await pair.coach.action(path, {})).toMatchObject({ type: 'success', data: { callPrivacy: { requireE2ee: false } } });
			expect(await join(sam, sessionId, false)).toMatchObject({ ok: true, value: { privacy: { encrypted: false, required: false } } });
		});
	});
}
