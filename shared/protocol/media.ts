/**
 * Live room signalling: how a browser sets up its mediasoup transports,
 * publishes its microphone, camera and screen, and receives everyone else's.
 * Every request carries the session id and is answered with a Result; the
 * server also pushes producer changes and a `renegotiate` when it lost the
 * media state (worker died). Schemas bound every array and string so that a
 * crafted payload cannot make the server do unbounded work.
 */
import { z } from 'zod';
import type { Ack } from './ack.ts';
import { sessionId } from './room.ts';

/** mediasoup object ids are UUIDs; anything else is refused before a lookup. */
const mediaId = z.string().regex(/^[0-9a-f-]{36}$/i, 'Not a media id.');
/** Chosen by the browser tab at load; lets a reconnecting tab take its transports back. */
export const peerId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Not a peer id.');

const paramValue = z.union([z.string().max(256), z.number(), z.boolean()]);
const codecParameters = z.record(z.string().max(64), paramValue).refine((p) => Object.keys(p).length <= 24, 'Too many codec parameters.');
const rtcpFeedback = z.array(z.object({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(16);
const kind = z.enum(['audio', 'video']);

const payloadType = z.number().int().min(0).max(127);
const codecFields = {
	mimeType: z.string().max(64),
	clockRate: z.number().int().positive(),
	channels: z.number().int().min(1).max(8).optional(),
	parameters: codecParameters.optional(),
	rtcpFeedback: rtcpFeedback.optional()
};
const codecCapability = z.object({ kind, preferredPayloadType: payloadType, ...codecFields });
const headerExtensionCapability = z.object({
	kind,
	uri: z.string().max(256),
	preferredId: z.number().int().min(1).max(255),
	preferredEncrypt: z.boolean().optional(),
	direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional()
});
/** What the browser's mediasoup Device can receive (already narrowed to the router's codecs). */
export const rtpCapabilities = z.object({
	codecs: z.array(codecCapability).max(32).optional(),
	headerExtensions: z.array(headerExtensionCapability).max(32).optional()
});

const rtpParameters = z.object({
	mid: z.string().max(32).optional(),
	codecs: z.array(z.object({ payloadType, ...codecFields })).min(1).max(8),
	headerExtensions: z
		.array(z.object({ uri: z.string().max(256), id: z.number().int().min(1).max(255), encrypt: z.boolean().optional(), parameters: codecParameters.optional() }))
		.max(16)
		.optional(),
	encodings: z
		.array(
			z.object({
				ssrc: z.number().int().nonnegative().optional(),
				rid: z.string().max(16).optional(),
				codecPayloadType: payloadType.optional(),
				rtx: z.object({ ssrc: z.number().int().nonnegative() }).optional(),
				dtx: z.boolean().optional(),
				scalabilityMode: z.string().max(16).optional(),
				maxBitrate: z.number().int().positive().optional()
			})
		)
		.max(4)
		.optional(),
	rtcp: z.object({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() }).optional(),
	msid: z.string().max(256).optional()
});

const dtlsParameters = z.object({
	role: z.enum(['auto', 'client', 'server']).optional(),
	fingerprints: z
		.array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().max(200) }))
		.min(1)
		.max(8)
});

/** What a published track is: a person's microphone, camera or shared screen. */
export const mediaSource = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSource>;

export const mediaRequest = {
	capabilities: z.object({ sessionId }).strict(),
	/** `entering`: false while the person is still on the pre-join screen (transports only, nobody sees them). */
	join: z.object({ sessionId, peerId, rtpCapabilities, entering: z.boolean() }).strict(),
	createTransports: z.object({ sessionId }).strict(),
	connectTransport: z.object({ sessionId, transportId: mediaId, dtlsParameters }).strict(),
	restartIce: z.object({ sessionId, transportId: mediaId }).strict(),
	produce: z.object({ sessionId, transportId: mediaId, kind, source: mediaSource, rtpParameters, paused: z.boolean() }).strict(),
	producer: z.object({ sessionId, producerId: mediaId }).strict(),
	consume: z.object({ sessionId, producerId: mediaId }).strict(),
	consumer: z.object({ sessionId, consumerId: mediaId }).strict(),
	/** The simulcast layer a tile needs: 0 is the smallest; larger than the top layer means the top one. */
	preferLayer: z.object({ sessionId, consumerId: mediaId, spatialLayer: z.number().int().min(0).max(3) }).strict(),
	leave: z.object({ sessionId }).strict()
};

type Req<K extends keyof typeof mediaRequest> = z.infer<(typeof mediaRequest)[K]>;
export type MediaRtpCapabilities = z.infer<typeof rtpCapabilities>;
export type MediaRtpParameters = z.infer<typeof rtpParameters>;
export type MediaDtlsParameters = z.infer<typeof dtlsParameters>;

export interface IceServer {
	urls: string | string[];
	username?: string;
	credential?: string;
}

/** A simulcast layer the browser should send; chosen by the server so tuning lives in one place. */
export interface VideoLayer {
	scaleResolutionDownBy: number;
	maxBitrate: number;
}

export interface MediaCapabilities {
	/** The router's capabilities (mediasoup RouterRtpCapabilities; opaque to this protocol). */
	routerRtpCapabilities: unknown;
	/** Changes when the session's media moved to a new router (worker died): the browser starts over. */
	routerId: string;
	iceServers: IceServer[];
	cameraLayers: VideoLayer[];
	screenMaxBitrate: number;
}

export interface ProducerInfo {
	producerId: string;
	userId: string;
	kind: 'audio' | 'video';
	source: MediaSource;
	paused: boolean;
}

export interface MediaJoined {
	routerId: string;
	/** Set when the server still holds this tab's transports from before a socket drop. */
	kept: { sendTransportId: string; recvTransportId: string; producerIds: string[] } | null;
	/** Everything the others publish right now; the browser consumes what it lacks. */
	producers: ProducerInfo[];
	/** Who is in the call (past the pre-join screen), by user id. */
	inCall: string[];
}

export interface TransportOptions {
	id: string;
	iceParameters: unknown;
	iceCandidates: unknown[];
	dtlsParameters: unknown;
}

export interface MediaTransports {
	send: TransportOptions;
	recv: TransportOptions;
}

export interface ConsumerOptions {
	consumerId: string;
	producerId: string;
	userId: string;
	kind: 'audio' | 'video';
	source: MediaSource;
	rtpParameters: unknown;
	producerPaused: boolean;
}

export interface MediaClientEvents {
	'media:capabilities': (msg: Req<'capabilities'>, ack: Ack<MediaCapabilities>) => void;
	'media:join': (msg: Req<'join'>, ack: Ack<MediaJoined>) => void;
	'media:createTransports': (msg: Req<'createTransports'>, ack: Ack<MediaTransports>) => void;
	'media:connectTransport': (msg: Req<'connectTransport'>, ack: Ack<true>) => void;
	'media:restartIce': (msg: Req<'restartIce'>, ack: Ack<{ iceParameters: unknown }>) => void;
	'media:produce': (msg: Req<'produce'>, ack: Ack<{ producerId: string }>) => void;
	'media:pauseProducer': (msg: Req<'producer'>, ack: Ack<true>) => void;
	'media:resumeProducer': (msg: Req<'producer'>, ack: Ack<true>) => void;
	'media:closeProducer': (msg: Req<'producer'>, ack: Ack<true>) => void;
	'media:consume': (msg: Req<'consume'>, ack: Ack<ConsumerOptions>) => void;
	'media:resumeConsumer': (msg: Req<'consumer'>, ack: Ack<true>) => void;
	'media:pauseConsumer': (msg: Req<'consumer'>, ack: Ack<true>) => void;
	'media:preferLayer': (msg: Req<'preferLayer'>, ack: Ack<true>) => void;
	'media:leave': (msg: Req<'leave'>, ack: Ack<true>) => void;
}

export interface MediaServerEvents {
	'media:newProducer': (msg: { sessionId: string; producer: ProducerInfo }) => void;
	'media:producerClosed': (msg: { sessionId: string; producerId: string; userId: string }) => void;
	'media:producerPaused': (msg: { sessionId: string; producerId: string; userId: string }) => void;
	'media:producerResumed': (msg: { sessionId: string; producerId: string; userId: string }) => void;
	/** The server lost this session's media (a worker died): set everything up again. */
	'media:renegotiate': (msg: { sessionId: string; reason: string }) => void;
	/** Who is in the call changed (someone entered from the pre-join screen or left). */
	'media:inCall': (msg: { sessionId: string; userIds: string[] }) => void;
	/** Another tab of the same person joined the room; this one stops sending. */
	'media:replaced': (msg: { sessionId: string }) => void;
}
