/**
 * Issue 17's media findings over the real server: parallel createTransports
 * on one peer left 38 transports open and untracked, parallel produce of the
 * microphone left 8 producers for one person, and a member still on the
 * pre-join screen could consume everyone's media. A person's media requests
 * now run one at a time, and consuming needs being in the call.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair, type Visitor } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { until } from '../helpers/pad.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import type { MediaJoined, MediaTransports } from '../../shared/protocol/media.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
	// Debug logs carry the worker's count of open transports.
	server = await startServer({ env: { MEDIA_WORKERS: '1', LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
	for (const s of sockets) s.close();
	await server?.cleanup();
});

const rtpCapabilities = {
	codecs: [
		{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }
	],
	headerExtensions: []
};
const opus = (ssrc: number) => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }], rtcp: { cname: 'test' } });
const peerId = () => `peer_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

async function inMedia(v: Visitor, sessionId: string, entering: boolean, id = peerId()) {
	const s = connect(server.url, v.cookie);
	sockets.push(s);
	await connected(s);
	expect(await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	const joined = await request<MediaJoined>(s, 'media:join', { sessionId, peerId: id, rtpCapabilities, entering });
	expect(joined.ok).toBe(true);
	return s;
}

/** The worker's open transports, as last logged. */
function openTransports(): number {
	const lines = server.logs.filter((l) => l.includes('media transport'));
	const last = lines.at(-1);
	return last ? (JSON.parse(last) as { open: number }).open : 0;
}

it('20 parallel createTransports leave one send and one receive transport, all closed on leave', async () => {
	const { coach, sessionId } = await coachingPair(server.url);
	const c = await inMedia(coach, sessionId, true);
	const before = openTransports();
	const answers = await Promise.all(Array.from({ length: 20 }, () => request<MediaTransports>(c, 'media:createTransports', { sessionId })));
	expect(answers.every((a) => a.ok)).toBe(true);
	await until(() => openTransports() === before + 2, 5_000, 'two open transports');
	expect(await request(c, 'media:leave', { sessionId })).toMatchObject({ ok: true });
	await until(() => openTransports() === before, 5_000, 'every transport closed');
});

it('8 parallel produce of the microphone leave one producer', async () => {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const c = await inMedia(coach, sessionId, true);
	const t = await request<MediaTransports>(c, 'media:createTransports', { sessionId });
	if (!t.ok) throw new Error(JSON.stringify(t));
	const produced = await Promise.all(
		Array.from({ length: 8 }, (_, i) => request<{ producerId: string }>(c, 'media:produce', { sessionId, transportId: t.value.send.id, kind: 'audio', source: 'mic', rtpParameters: opus(1000 + i), paused: false }))
	);
	expect(produced.every((p) => p.ok)).toBe(true);
	const e = connect(server.url, coachee.cookie);
	sockets.push(e);
	await connected(e);
	await request(e, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	const seen = await request<MediaJoined>(e, 'media:join', { sessionId, peerId: peerId(), rtpCapabilities, entering: true });
	if (!seen.ok) throw new Error(JSON.stringify(seen));
	expect(seen.value.producers.filter((p) => p.source === 'mic')).toHaveLength(1);
});

it('a member on the pre-join screen cannot consume; once in the call they can', async () => {
	const { coach, coachee, sessionId } = await coachingPair(server.url);
	const c = await inMedia(coach, sessionId, true);
	const ct = await request<MediaTransports>(c, 'media:createTransports', { sessionId });
	if (!ct.ok) throw new Error(JSON.stringify(ct));
	const mic = await request<{ producerId: string }>(c, 'media:produce', { sessionId, transportId: ct.value.send.id, kind: 'audio', source: 'mic', rtpParameters: opus(2000), paused: false });
	if (!mic.ok) throw new Error(JSON.stringify(mic));
	const id = peerId();
	const e = await inMedia(coachee, sessionId, false, id);
	expect((await request<MediaTransports>(e, 'media:createTransports', { sessionId })).ok).toBe(true);
	expect(await request(e, 'media:consume', { sessionId, producerId: mic.value.producerId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
	// The Join click: the same tab enters the call, keeping its transports.
	expect((await request<MediaJoined>(e, 'media:join', { sessionId, peerId: id, rtpCapabilities, entering: true })).ok).toBe(true);
	expect(await request(e, 'media:consume', { sessionId, producerId: mic.value.producerId })).toMatchObject({ ok: true });
});

it('one account holds at most limits.socket.maxConnectionsPerAccount socket.io connections; each beyond is refused with a clear error', async () => {
	const { coach } = await coachingPair(server.url);
	const opened = Array.from({ length: 15 }, () => connect(server.url, coach.cookie));
	sockets.push(...opened);
	const outcomes = await Promise.all(opened.map((s) => connected(s).then(() => 'connected', (err: Error & { data?: { code?: string } }) => `${err.data?.code}: ${err.message}`)));
	expect(outcomes.filter((o) => o === 'connected')).toHaveLength(10);
	const refused = outcomes.filter((o) => o !== 'connected');
	expect(refused).toHaveLength(5);
	for (const r of refused) expect(r).toMatch(/^too_many_connections: You have Confidante open in too many tabs/);
	// Closing one frees its place.
	opened.find((s) => s.connected)!.close();
	await new Promise((r) => setTimeout(r, 300));
	const next = connect(server.url, coach.cookie);
	sockets.push(next);
	await connected(next);
	for (const s of opened) s.close();
});
