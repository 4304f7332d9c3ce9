/**
 * The relay of peer-to-peer signalling (media:direct) over the real server
 * and socket.io: a message goes to the one other person in a call of two
 * and to nobody else. Refused: a stranger, a member who has not joined the
 * session, a member still on the pre-join screen, any message in a call of
 * three, a payload naming its own target, and oversized descriptions and
 * candidates. A signed-out browser gets no socket at all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { MAX_CANDIDATE_CHARS, MAX_SDP_CHARS } from '../../shared/protocol/direct.ts';
import type { MediaJoined } from '../../shared/protocol/media.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	server = await startServer({ env: { MEDIA_WORKERS: '1' } });
});
afterAll(async () => {
	for (const s of sockets) s.close();
	await server?.cleanup();
});

async function socketOf(v: Visitor): Promise<ClientSocket> {
	const s = connect(server.url, v.cookie);
	sockets.push(s);
	await connected(s);
	return s;
}

const rtpCapabilities = { codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 }], headerExtensions: [] };
const peerId = () => `peer_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

/** Joins the session, and its media (in the call, or only on the pre-join screen); returns who is in the call. */
async function enter(s: ClientSocket, sessionId: string, entering = true): Promise<string[]> {
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const joined = await request<MediaJoined>(s, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering });
	if (!joined.ok) throw new Error(JSON.stringify(joined));
	return joined.value.inCall;
}

/** Every media:direct message this socket receives. */
function inbox(s: ClientSocket): unknown[] {
	const got: unknown[] = [];
	(s as unknown as { on(e: string, l: (m: unknown) => void): void }).on('media:direct', (m) => got.push(m));
	return got;
}

const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' } };
const candidate = { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
const settle = () => new Promise((r) => setTimeout(r, 300));

it('relays to the other person of a call of two, and to nobody else', async () => {
	const group = await coachingPair(server.url, { coachees: 2 });
	const [c, e, waiting] = [await socketOf(group.coach), await socketOf(group.coachees[0]!), await socketOf(group.coachees[1]!)];
	const [toCoach, toCoachee, toWaiting] = [inbox(c), inbox(e), inbox(waiting)];
	const [coachId] = await enter(c, group.sessionId);
	const inCall = await enter(e, group.sessionId);
	const coacheeId = inCall.find((u) => u !== coachId)!;
	// The third is in the session, on the pre-join screen: not in the call.
	await enter(waiting, group.sessionId, false);

	expect(await request(c, 'media:direct', { sessionId: group.sessionId, signal: offer })).toEqual({ ok: true, value: true });
	expect(await request(e, 'media:direct', { sessionId: group.sessionId, signal: candidate })).toEqual({ ok: true, value: true });
	expect(await request(e, 'media:direct', { sessionId: group.sessionId, signal: { kind: 'fallback' } })).toEqual({ ok: true, value: true });
	await settle();
	expect(toCoachee).toEqual([{ sessionId: group.sessionId, from: coachId, signal: offer }]);
	expect(toCoach).toEqual([
		{ sessionId: group.sessionId, from: coacheeId, signal: candidate },
		{ sessionId: group.sessionId, from: coacheeId, signal: { kind: 'fallback' } }
	]);
	expect(toWaiting).toEqual([]);

	// Someone on the pre-join screen cannot send either.
	expect(await request(waiting, 'media:direct', { sessionId: group.sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'conflict' } });

	// Once the third is in the call, nobody relays: the call goes through the SFU.
	await request(waiting, 'media:join', { sessionId: group.sessionId, peerId: peerId(), rtpCapabilities, entering: true });
	for (const s of [c, e, waiting]) {
		expect(await request(s, 'media:direct', { sessionId: group.sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/only for a call of two/) } });
	}
	await settle();
	expect(toCoach.length + toCoachee.length + toWaiting.length).toBe(3);
});

it('refuses a stranger, a member outside the session, a target chosen by the sender and oversized payloads', async () => {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const [c, e] = [await socketOf(coach), await socketOf(coachee)];
	const toCoachee = inbox(e);

	// A member who has not joined the session yet, then one who joined it but not its media.
	expect(await request(c, 'media:direct', { sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
	expect(await request(c, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	expect(await request(c, 'media:direct', { sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'conflict' } });
	await request(c, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true });
	// Alone in the call: there is nobody to connect to.
	expect(await request(c, 'media:direct', { sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'conflict' } });
	await enter(e, sessionId);

	// A stranger signed in: not a member, so not in the session.
	const stranger = new Visitor(server.url);
	await stranger.signUp('Olly Outsider', uniqueEmail('olly'));
	const o = await socketOf(stranger);
	const toStranger = inbox(o);
	expect(await request(o, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	expect(await request(o, 'media:direct', { sessionId, signal: offer })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

	// The server picks the target: a payload naming one is refused, not sent there.
	const strangerId = 'x'.repeat(20);
	expect(await request(c, 'media:direct', { sessionId, signal: offer, to: strangerId })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	expect(await request(c, 'media:direct', { sessionId, signal: { ...offer, to: strangerId } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

	// Sizes are bounded, and unknown kinds refused.
	const bigSdp = { kind: 'description', description: { type: 'offer', sdp: 'a'.repeat(MAX_SDP_CHARS + 1) } };
	const bigCandidate = { kind: 'candidate', candidate: { ...candidate.candidate, candidate: 'c'.repeat(MAX_CANDIDATE_CHARS + 1) } };
	for (const signal of [bigSdp, bigCandidate, { kind: 'description', description: { type: 'pranswer', sdp: '' } }, { kind: 'hello' }]) {
		expect(await request(c, 'media:direct', { sessionId, signal })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	}
	await settle();
	expect(toCoachee).toEqual([]);
	expect(toStranger).toEqual([]);

	// A signed-out browser gets no socket to send from.
	const anonymous = connect(server.url, '');
	sockets.push(anonymous);
	await expect(connected(anonymous)).rejects.toThrow();
});
