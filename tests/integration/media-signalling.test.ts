/**
 * Media signalling over the real server and socket.io, without a browser:
 * only members who joined the session get media, out-of-order and malformed
 * requests are answered with a code and change nothing, and producers come
 * and go for the others.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import type { ConsumerOptions, MediaCapabilities, MediaJoined, MediaTransports, ProducerInfo } from '../../shared/protocol/media.ts';

const iceServers = [{ urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'], username: 'confidante', credential: 'secret' }];
let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	server = await startServer({ env: { MEDIA_WORKERS: '1', ICE_SERVERS: JSON.stringify(iceServers) } });
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

const rtpCapabilities = {
	codecs: [
		{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }
	],
	headerExtensions: []
};
const opus = (ssrc: number) => ({
	codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc }],
	rtcp: { cname: 'test' }
});
const dtls = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }] };
const peerId = () => `peer_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

async function joinMedia(s: ClientSocket, sessionId: string, id = peerId(), entering = true) {
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const joined = await request<MediaJoined>(s, 'media:join', { sessionId, peerId: id, rtpCapabilities, entering });
	expect(joined.ok).toBe(true);
	return joined.ok ? joined.value : (null as never);
}

/** Coach and coachee in the call on their own sockets, each with transports. */
async function pairInCall() {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const c = await socketOf(coach);
	const e = await socketOf(coachee);
	await joinMedia(c, sessionId);
	await joinMedia(e, sessionId);
	const ct = await request<MediaTransports>(c, 'media:createTransports', { sessionId });
	const et = await request<MediaTransports>(e, 'media:createTransports', { sessionId });
	if (!ct.ok || !et.ok) throw new Error(`transports: ${JSON.stringify([ct, et])}`);
	return { c, e, ct, et, sessionId, coachee };
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

it('refuses media to a non-member and to a member who has not joined the session', async () => {
	const { coach, sessionId } = await coachingPair(server.url);
	const outsider = new Visitor(server.url);
	await outsider.signUp('Olly Outsider', uniqueEmail('olly'));
	const o = await socketOf(outsider);
	expect(await request(o, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	for (const [event, payload] of [
		['media:capabilities', { sessionId }],
		['media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true }],
		['media:createTransports', { sessionId }]
	] as const) {
		expect(await request(o, event, payload)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
	}
	// The coach's socket before session:join is treated the same way.
	const c = await socketOf(coach);
	expect(await request(c, 'media:capabilities', { sessionId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
});

it('answers out-of-order and malformed requests with a code and changes nothing', async () => {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const c = await socketOf(coach);
	expect(await request(c, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const unknownId = '00000000-0000-4000-8000-000000000000';

	// Before media:join nothing but capabilities and join work.
	expect(await request(c, 'media:consume', { sessionId, producerId: unknownId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
	expect(await request(c, 'media:createTransports', { sessionId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
	const caps = await request<MediaCapabilities>(c, 'media:capabilities', { sessionId });
	expect(caps.ok && (caps.value.routerRtpCapabilities as { codecs: { mimeType: string }[] }).codecs.map((x) => x.mimeType)).toEqual(
		expect.arrayContaining(['audio/opus', 'video/VP8'])
	);
	// The configured STUN/TURN servers and the simulcast layers are handed to the browser.
	expect(caps).toMatchObject({ ok: true, value: { iceServers, cameraLayers: [expect.objectContaining({ scaleResolutionDownBy: 2 }), expect.objectContaining({ scaleResolutionDownBy: 1 })] } });

	// Wrong types, unknown fields, oversized values: invalid_input.
	for (const payload of [
		{ sessionId, producerId: 42 },
		{ sessionId, producerId: unknownId, extra: true },
		{ sessionId: 'x'.repeat(5000), producerId: unknownId },
		null,
		'consume'
	]) {
		expect(await request(c, 'media:consume', payload)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	}
	const tooMany = { codecs: Array.from({ length: 40 }, () => rtpCapabilities.codecs[0]) };
	expect(await request(c, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities: tooMany, entering: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

	// After join: unknown ids are not_found; consume before transports is a conflict.
	const joined = await request<MediaJoined>(c, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true });
	expect(joined).toMatchObject({ ok: true, value: { kept: null, producers: [] } });
	expect(await request(c, 'media:consume', { sessionId, producerId: unknownId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
	expect(await request(c, 'media:connectTransport', { sessionId, transportId: unknownId, dtlsParameters: dtls })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	const t = await request<MediaTransports>(c, 'media:createTransports', { sessionId });
	if (!t.ok) throw new Error(JSON.stringify(t));
	expect(t.value.send.id).not.toBe(t.value.recv.id);
	expect(await request(c, 'media:consume', { sessionId, producerId: unknownId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	expect(await request(c, 'media:pauseProducer', { sessionId, producerId: unknownId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	expect(await request(c, 'media:resumeConsumer', { sessionId, consumerId: unknownId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	// Producing on the receive transport, or audio from a camera, is refused.
	const onRecv = await request(c, 'media:produce', { sessionId, transportId: t.value.recv.id, kind: 'audio', source: 'mic', rtpParameters: opus(1111), paused: false });
	expect(onRecv).toMatchObject({ ok: false, error: { code: 'not_found' } });
	const mismatch = await request(c, 'media:produce', { sessionId, transportId: t.value.send.id, kind: 'audio', source: 'camera', rtpParameters: opus(1111), paused: false });
	expect(mismatch).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	const badCodec = { codecs: [{ mimeType: 'audio/speex', payloadType: 99, clockRate: 8000 }], encodings: [{ ssrc: 5 }] };
	const unsupported = await request(c, 'media:produce', { sessionId, transportId: t.value.send.id, kind: 'audio', source: 'mic', rtpParameters: badCodec, paused: false });
	expect(unsupported).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

	// A coachee's socket cannot touch the coach's transport.
	const e = await socketOf(coachee);
	await joinMedia(e, sessionId);
	expect(await request(e, 'media:connectTransport', { sessionId, transportId: t.value.send.id, dtlsParameters: dtls })).toMatchObject({ ok: false, error: { code: 'not_found' } });

	// None of that changed anything: the coach's transports still connect once.
	expect(await request(c, 'media:connectTransport', { sessionId, transportId: t.value.send.id, dtlsParameters: dtls })).toMatchObject({ ok: true });
	expect(await request(c, 'media:connectTransport', { sessionId, transportId: t.value.send.id, dtlsParameters: dtls })).toMatchObject({ ok: false, error: { code: 'conflict' } });
});

it('tells the others about producers, pauses and a participant who leaves; a second tab replaces the first', async () => {
	const { c, e, ct, sessionId, coachee } = await pairInCall();

	const announced = next<{ producer: ProducerInfo }>(e, 'media:newProducer');
	const produced = await request<{ producerId: string }>(c, 'media:produce', { sessionId, transportId: ct.value.send.id, kind: 'audio', source: 'mic', rtpParameters: opus(2222), paused: false });
	if (!produced.ok) throw new Error(JSON.stringify(produced));
	const { producer } = await announced;
	expect(producer).toMatchObject({ producerId: produced.value.producerId, kind: 'audio', source: 'mic', paused: false });

	// The coach cannot consume their own microphone; the coachee can.
	expect(await request(c, 'media:consume', { sessionId, producerId: producer.producerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	const consumed = await request<ConsumerOptions>(e, 'media:consume', { sessionId, producerId: producer.producerId });
	expect(consumed).toMatchObject({ ok: true, value: { producerId: producer.producerId, kind: 'audio', source: 'mic' } });
	if (!consumed.ok) return;
	expect(await request(e, 'media:resumeConsumer', { sessionId, consumerId: consumed.value.consumerId })).toMatchObject({ ok: true });
	// A hidden tile pauses its consumer; only the consumer's owner can.
	expect(await request(c, 'media:pauseConsumer', { sessionId, consumerId: consumed.value.consumerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
	expect(await request(e, 'media:pauseConsumer', { sessionId, consumerId: consumed.value.consumerId })).toMatchObject({ ok: true });

	const paused = next<{ producerId: string }>(e, 'media:producerPaused');
	expect(await request(c, 'media:pauseProducer', { sessionId, producerId: producer.producerId })).toMatchObject({ ok: true });
	expect((await paused).producerId).toBe(producer.producerId);

	// A late joiner is told about the paused microphone in the join answer.
	const late = await socketOf(coachee);
	const lateJoined = await joinMedia(late, sessionId);
	expect(lateJoined.producers).toEqual([expect.objectContaining({ producerId: producer.producerId, paused: true })]);
	// ...and that replaced the coachee's first tab, which can no longer ask for anything.
	expect(await request(e, 'media:consume', { sessionId, producerId: producer.producerId })).toMatchObject({ ok: false, error: { code: 'conflict' } });

	const closed = next<{ producerId: string; userId: string }>(late, 'media:producerClosed');
	expect(await request(c, 'session:leave', { sessionId })).toMatchObject({ ok: true });
	expect((await closed).producerId).toBe(producer.producerId);
	const again = await request<MediaJoined>(late, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true });
	expect(again).toMatchObject({ ok: true, value: { producers: [] } });
});

it('tells everyone who is in the call, not merely looking at the pre-join screen', async () => {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const c = await socketOf(coach);
	const e = await socketOf(coachee);
	const coachIn = await joinMedia(c, sessionId);
	expect(coachIn.inCall).toHaveLength(1);
	const tab = peerId();
	const preview = await joinMedia(e, sessionId, tab, false);
	expect(preview.inCall).toEqual(coachIn.inCall);
	const entered = next<{ userIds: string[] }>(c, 'media:inCall');
	const inside = await request<MediaJoined>(e, 'media:join', { sessionId, peerId: tab, rtpCapabilities, entering: true });
	expect(inside).toMatchObject({ ok: true, value: { inCall: expect.arrayContaining(coachIn.inCall) } });
	expect((await entered).userIds).toHaveLength(2);
	const left = next<{ userIds: string[] }>(c, 'media:inCall');
	expect(await request(e, 'media:leave', { sessionId })).toMatchObject({ ok: true });
	expect((await left).userIds).toEqual(coachIn.inCall);
});

it('limits media requests per socket with their own budget, leaving the room events alone', async () => {
	const { coach, sessionId } = await coachingPair(server.url);
	const c = await socketOf(coach);
	await joinMedia(c, sessionId);
	// The room budget is 60 per window; a join burst needs more, so media has its own (300).
	const answers = await Promise.all(Array.from({ length: 320 }, () => request(c, 'media:capabilities', { sessionId }, 15_000)));
	const limited = answers.filter((a) => !a.ok && a.error.code === 'rate_limited').length;
	expect(answers.filter((a) => a.ok).length).toBeGreaterThan(60);
	expect(limited).toBeGreaterThan(0);
	// Room events still answer: the media burst did not use up their budget.
	expect(await request(c, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
});

it('lets a small tile ask for the small simulcast layer', async () => {
	const { c, e, ct, sessionId } = await pairInCall();
	const vp8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] };
	const simulcast = { codecs: [vp8], encodings: [{ ssrc: 3001 }, { ssrc: 3002 }], rtcp: { cname: 'cam' } };
	const video = await request<{ producerId: string }>(c, 'media:produce', { sessionId, transportId: ct.value.send.id, kind: 'video', source: 'camera', rtpParameters: simulcast, paused: false });
	if (!video.ok) throw new Error(JSON.stringify(video));
	const consumed = await request<ConsumerOptions>(e, 'media:consume', { sessionId, producerId: video.value.producerId });
	if (!consumed.ok) throw new Error(JSON.stringify(consumed));
	expect((consumed.value.rtpParameters as { encodings: { scalabilityMode: string }[] }).encodings[0]!.scalabilityMode).toMatch(/^L2/);
	for (const spatialLayer of [0, 3]) {
		expect(await request(e, 'media:preferLayer', { sessionId, consumerId: consumed.value.consumerId, spatialLayer })).toMatchObject({ ok: true });
	}
	expect(await request(e, 'media:preferLayer', { sessionId, consumerId: consumed.value.consumerId, spatialLayer: 9 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	expect(await request(c, 'media:preferLayer', { sessionId, consumerId: consumed.value.consumerId, spatialLayer: 0 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
});
