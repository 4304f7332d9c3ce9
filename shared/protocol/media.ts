/**
 * Live room signalling: how a browser sets up its mediasoup transports,
 * publishes its microphone, camera and screen, and receives everyone else's.
 * Every request carries the session id and is answered with a Result; the
 * server also pushes producer changes and a `renegotiate` when it lost the
 * media state (worker died). Schemas bound every array and string so that a
 * crafted payload cannot make the server do unbounded work.
 */
import { z } from 'zod';
import { sessionId } from './room.ts';
import { callPrivacy, peerKey, publicKey } from './e2ee.ts';
import { directSettings } from './direct.ts';

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

export const rtpParameters = z.object({
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

const producerInfo = z.object({
	producerId: z.string(),
	userId: z.string(),
	kind,
	source: mediaSource,
	paused: z.boolean()
});
export type ProducerInfo = z.infer<typeof producerInfo>;

const iceServer = z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() });
export type IceServer = z.infer<typeof iceServer>;

/** A simulcast layer the browser should send; chosen by the server so tuning lives in one place. */
const videoLayer = z.object({ scaleResolutionDownBy: z.number(), maxBitrate: z.number() });
export type VideoLayer = z.infer<typeof videoLayer>;

const capabilities = z.object({
	/** The router's capabilities (mediasoup RouterRtpCapabilities; opaque to this protocol). */
	routerRtpCapabilities: z.unknown(),
	/** Changes when the session's media moved to a new router (worker died): the browser starts over. */
	routerId: z.string(),
	iceServers: z.array(iceServer),
	cameraLayers: z.array(videoLayer),
	screenMaxBitrate: z.number(),
	/** The coach requires end-to-end encryption for this engagement's calls. */
	e2eeRequired: z.boolean(),
	/** One-to-one calls peer to peer (shared/protocol/direct.ts). */
	direct: directSettings
});
export type MediaCapabilities = z.infer<typeof capabilities>;

const joined = z.object({
	routerId: z.string(),
	/** Set when the server still holds this tab's transports from before a socket drop. */
	kept: z.object({ sendTransportId: z.string(), recvTransportId: z.string(), producerIds: z.array(z.string()) }).nullable(),
	/** Everything the others publish right now; the browser consumes what it lacks. */
	producers: z.array(producerInfo),
	/** Who is in the call (past the pre-join screen), by user id. */
	inCall: z.array(z.string()),
	privacy: callPrivacy,
	/** Entering with a public key (end-to-end encryption): the others' keys, so sealing needs no further round trip. */
	peerKeys: z.array(peerKey).optional()
});
export type MediaJoined = z.infer<typeof joined>;

// mediasoup's own shapes pass through opaquely; the browser's mediasoup-client reads them.
const transportOptions = z.object({ id: z.string(), iceParameters: z.unknown(), iceCandidates: z.array(z.unknown()), dtlsParameters: z.unknown() });
export type TransportOptions = z.infer<typeof transportOptions>;

const transports = z.object({ send: transportOptions, recv: transportOptions });
export type MediaTransports = z.infer<typeof transports>;

const consumerOptions = z.object({
	consumerId: z.string(),
	producerId: z.string(),
	userId: z.string(),
	kind,
	source: mediaSource,
	rtpParameters: z.unknown(),
	producerPaused: z.boolean()
});
export type ConsumerOptions = z.infer<typeof consumerOptions>;

export type MediaRtpCapabilities = z.infer<typeof rtpCapabilities>;
export type MediaRtpParameters = z.infer<typeof rtpParameters>;
export type MediaDtlsParameters = z.infer<typeof dtlsParameters>;

const done = z.literal(true);
const producerRequest = z.object({ sessionId, producerId: mediaId }).strict();
const consumerRequest = z.object({ sessionId, consumerId: mediaId }).strict();

export const mediaRequests = {
	'media:capabilities': { payload: z.object({ sessionId }).strict(), reply: capabilities },
	/** `entering`: false while the person is still on the pre-join screen (transports only, nobody sees them). */
	/** `e2ee`: this browser can encrypt frames end to end (encoded transforms); absent means it cannot. */
	/** `publicKey`: entering, this tab's end-to-end key (as `e2ee:publicKey` would announce it), one round trip sooner. */
	'media:join': {
		payload: z.object({ sessionId, peerId, rtpCapabilities, entering: z.boolean(), e2ee: z.boolean().default(false), publicKey: publicKey.optional() }).strict(),
		reply: joined
	},
	'media:createTransports': { payload: z.object({ sessionId }).strict(), reply: transports },
	'media:connectTransport': { payload: z.object({ sessionId, transportId: mediaId, dtlsParameters }).strict(), reply: done },
	'media:restartIce': { payload: z.object({ sessionId, transportId: mediaId }).strict(), reply: z.object({ iceParameters: z.unknown() }) },
	'media:produce': {
		payload: z.object({ sessionId, transportId: mediaId, kind, source: mediaSource, rtpParameters, paused: z.boolean() }).strict(),
		reply: z.object({ producerId: z.string() })
	},
	'media:pauseProducer': { payload: producerRequest, reply: done },
	'media:resumeProducer': { payload: producerRequest, reply: done },
	'media:closeProducer': { payload: producerRequest, reply: done },
	'media:consume': { payload: z.object({ sessionId, producerId: mediaId }).strict(), reply: consumerOptions },
	'media:resumeConsumer': { payload: consumerRequest, reply: done },
	'media:pauseConsumer': { payload: consumerRequest, reply: done },
	/** The simulcast layer a tile needs: 0 is the smallest; larger than the top layer means the top one. */
	'media:preferLayer': { payload: z.object({ sessionId, consumerId: mediaId, spatialLayer: z.number().int().min(0).max(3) }).strict(), reply: done },
	'media:leave': { payload: z.object({ sessionId }).strict(), reply: done }
};

const aboutProducer = z.object({ sessionId: z.string(), producerId: z.string(), userId: z.string() });

export const mediaEvents = {
	'media:newProducer': z.object({ sessionId: z.string(), producer: producerInfo }),
	'media:producerClosed': aboutProducer,
	'media:producerPaused': aboutProducer,
	'media:producerResumed': aboutProducer,
	/** The server lost this session's media (a worker died): set everything up again. */
	'media:renegotiate': z.object({ sessionId: z.string(), reason: z.string() }),
	/** Who is in the call changed (someone entered from the pre-join screen or left). */
	'media:inCall': z.object({ sessionId: z.string(), userIds: z.array(z.string()), privacy: callPrivacy }),
	/** Another tab of the same person joined the room; this one stops sending. */
	'media:replaced': z.object({ sessionId: z.string() })
};
