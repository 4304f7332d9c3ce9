/**
 * Issue 16, media across instances, without a browser: two real server
 * processes on one PostgreSQL schema and one Redis database. The coach's
 * socket is on instance A, the coachee's on B: both get the same router (the
 * lease holder's), requests from B are forwarded to the owner and answered,
 * pushes reach a socket on the other instance (new producers, the key
 * exchange, the direct relay), and when the owner is SIGKILLed the other
 * instance takes the lease and tells its sockets to set their media up again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { coachingPair } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { startInstances, stopInstances, type Instance } from '../helpers/media-instances.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import type { MediaCapabilities, MediaJoined, MediaTransports } from '../../shared/protocol/media.ts';

let a: Instance;
let b: Instance;
let instances: Instance[] = [];
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	instances = await startInstances(2, { MEDIA_WORKERS: '1' });
	[a, b] = instances as [Instance, Instance];
}, 90_000);
afterAll(async () => {
	for (const s of sockets) s.close();
	await stopInstances(instances);
});

const rtpCapabilities = {
	codecs: [
		{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }
	],
	headerExtensions: []
};
const opus = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }], rtcp: { cname: 'test' } };
const peerId = () => `peer_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

async function socketOn(server: Instance, cookie: string): Promise<ClientSocket> {
	const s = connect(server.url, cookie);
	sockets.push(s);
	await connected(s);
	return s;
}

function next<T>(s: ClientSocket, event: string, timeoutMs = 5000): Promise<T> {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
		(s as unknown as { once(event: string, listener: (m: T) => void): void }).once(event, (m: T) => {
			clearTimeout(t);
			resolve(m);
		});
	});
}

async function enter(s: ClientSocket, sessionId: string): Promise<{ caps: MediaCapabilities; joined: MediaJoined }> {
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const caps = await request<MediaCapabilities>(s, 'media:capabilities', { sessionId });
	if (!caps.ok) throw new Error(`capabilities: ${JSON.stringify(caps)}`);
	const joined = await request<MediaJoined>(s, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true, e2ee: true });
	if (!joined.ok) throw new Error(`join: ${JSON.stringify(joined)}`);
	return { caps: caps.value, joined: joined.value };
}

const lines = (server: Instance, text: string, sessionId: string) => server.logs.filter((l) => l.includes(text) && l.includes(sessionId));

it('coach on A and coachee on B share one room, hosted by the lease holder, and hear of each other', async () => {
	const { coach, coachee, sessionId } = await coachingPair(a.url);
	const c = await socketOn(a, coach.cookie);
	const e = await socketOn(b, coachee.cookie);
	const coachIn = await enter(c, sessionId);
	const coacheeIn = await enter(e, sessionId);
	// One router for both: the coach's instance took the lease first, B forwarded the coachee's requests.
	expect(coacheeIn.caps.routerId).toBe(coachIn.caps.routerId);
	// The coachee, joining second through B, finds the coach in the call.
	expect(coacheeIn.joined.inCall).toHaveLength(2);
	expect(coacheeIn.joined.inCall).toEqual(expect.arrayContaining(coachIn.joined.inCall));
	expect(lines(a, 'media lease taken', sessionId)).toHaveLength(1);
	expect(lines(b, 'media lease taken', sessionId)).toHaveLength(0);
	expect(lines(a, '"msg":"media joined"', sessionId).some((l) => l.includes(`"via":"${b.id}"`))).toBe(true);

	// Transports on the owner, with its own RTC port range (B's sockets' RTP goes to A).
	const et = await request<MediaTransports>(e, 'media:createTransports', { sessionId });
	const ct = await request<MediaTransports>(c, 'media:createTransports', { sessionId });
	if (!et.ok || !ct.ok) throw new Error(`transports: ${JSON.stringify([et, ct])}`);
	const ports = (et.value.send.iceCandidates as Array<{ port: number }>).map((x) => x.port);
	for (const p of ports) expect(p).toBeGreaterThanOrEqual(Number(a.env.MEDIA_RTC_MIN_PORT));
	for (const p of ports) expect(p).toBeLessThanOrEqual(Number(a.env.MEDIA_RTC_MAX_PORT));

	// A push from the owner reaches the socket on B: the coachee hears of the coach's microphone, and consumes it.
	const heard = next<{ producer: { producerId: string; userId: string } }>(e, 'media:newProducer');
	const produced = await request<{ producerId: string }>(c, 'media:produce', { sessionId, transportId: ct.value.send.id, kind: 'audio', source: 'mic', rtpParameters: opus, paused: false });
	if (!produced.ok) throw new Error(`produce: ${JSON.stringify(produced)}`);
	expect((await heard).producer.producerId).toBe(produced.value.producerId);
	expect(await request(e, 'media:consume', { sessionId, producerId: produced.value.producerId })).toMatchObject({ ok: true });

	// The key exchange of encrypted calls goes across too, both ways.
	const key = 'A'.repeat(87);
	const toCoach = next<{ userId: string; publicKey: string }>(c, 'e2ee:peerKey');
	expect(await request(e, 'e2ee:publicKey', { sessionId, publicKey: key })).toMatchObject({ ok: true });
	expect((await toCoach).publicKey).toBe(key);
	const coachAnnounce = await request<{ peers: Array<{ publicKey: string }> }>(c, 'e2ee:publicKey', { sessionId, publicKey: 'B'.repeat(87) });
	expect(coachAnnounce).toMatchObject({ ok: true, value: { peers: [{ publicKey: key }] } });

	// And the direct (peer to peer) relay, from B to A.
	const relayed = next<{ from: string; signal: { kind: string } }>(c, 'media:direct');
	expect(await request(e, 'media:direct', { sessionId, signal: { kind: 'fallback' } })).toMatchObject({ ok: true });
	expect((await relayed).signal.kind).toBe('fallback');
});

it('when the owner instance dies, the other takes the lease and its sockets renegotiate onto a new router', async () => {
	const { coach, coachee, sessionId } = await coachingPair(a.url);
	const c = await socketOn(a, coach.cookie);
	const e = await socketOn(b, coachee.cookie);
	const before = (await enter(c, sessionId)).caps.routerId;
	expect((await enter(e, sessionId)).caps.routerId).toBe(before);
	const told = next<{ sessionId: string }>(e, 'media:renegotiate', 15_000);
	const killedAt = Date.now();
	await a.stop('SIGKILL');
	expect((await told).sessionId).toBe(sessionId);
	const movedMs = Date.now() - killedAt;
	console.log(`coachee told to renegotiate ${movedMs} ms after the owner was killed`);
	expect(movedMs).toBeLessThan(limitsAfterKillMs);
	const again = await enter(e, sessionId);
	expect(again.caps.routerId).not.toBe(before);
	expect(lines(b, 'media lease taken', sessionId)).toHaveLength(1);
	// A restarted A joins as a non-owner: the session stays on B.
	await a.restart();
	const c2 = await socketOn(a, coach.cookie);
	expect((await enter(c2, sessionId)).caps.routerId).toBe(again.caps.routerId);
}, 60_000);

/** The alive key's TTL (3 s) and a tick (1 s), with room for a loaded machine. */
const limitsAfterKillMs = 8_000;
