/**
 * A mediasoup transport wired to the server's signalling: connecting
 * (DTLS), producing on the send side, and recovering by itself when its
 * media path breaks while the socket stays up.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaCapabilities, MediaSource, MediaTransports, Reply, RequestName, RequestPayload } from '$shared/protocol/index.ts';
import { mediaSource, rtpParameters as rtpParametersSchema } from '$shared/protocol/media.ts';
import { mark } from './marks.ts';

/** How long a `disconnected` transport may try to recover by itself before ICE is restarted. */
const DISCONNECTED_GRACE_MS = 1500;

export type MediaRequestName = Extract<RequestName, `media:${string}`>;
/** A signalling request; resolves with the reply, rejects with the server's message and code. */
export type Request = <K extends MediaRequestName>(name: K, payload: RequestPayload<K>) => Promise<Reply<K>>;

export interface TransportContext {
	sessionId: string;
	iceServers: RTCIceServer[] | undefined;
	request: Request;
	/** The transport failed, or stayed disconnected past the grace time: restart its ICE. */
	recover(transport: types.Transport): void;
}

export function createTransport(device: Device, direction: 'send' | 'recv', options: MediaTransports['send'], ctx: TransportContext): types.Transport {
	const init = {
		id: options.id,
		iceParameters: options.iceParameters as types.IceParameters,
		iceCandidates: options.iceCandidates as types.IceCandidate[],
		dtlsParameters: options.dtlsParameters as types.DtlsParameters,
		iceServers: ctx.iceServers
	};
	const transport = direction === 'send' ? device.createSendTransport(init) : device.createRecvTransport(init);
	transport.on('connect', ({ dtlsParameters }, done, fail) => {
		ctx.request('media:connectTransport', { sessionId: ctx.sessionId, transportId: transport.id, dtlsParameters }).then(() => done(), fail);
	});
	if (direction === 'send') {
		transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
			// mediasoup-client's types are wider than the protocol's: send what the server's schema accepts.
			const parameters = rtpParametersSchema.safeParse(rtpParameters);
			const source = mediaSource.safeParse(appData.source);
			if (!parameters.success || !source.success) return fail(new Error('media:produce: parameters outside the protocol'));
			const paused = appData.paused === true;
			ctx.request('media:produce', { sessionId: ctx.sessionId, transportId: transport.id, kind, rtpParameters: parameters.data, source: source.data, paused }).then(
				({ producerId }) => done({ id: producerId }),
				fail
			);
		});
	}
	let recovering: ReturnType<typeof setTimeout> | null = null;
	transport.on('connectionstatechange', (state) => {
		if (state === 'connected') {
			mark(`${direction}-connected`);
			if (recovering) clearTimeout(recovering);
			recovering = null;
		} else if (state === 'failed' || state === 'disconnected') {
			if (recovering) return;
			recovering = setTimeout(
				() => {
					recovering = null;
					if (!transport.closed && transport.connectionState !== 'connected') ctx.recover(transport);
				},
				state === 'failed' ? 0 : DISCONNECTED_GRACE_MS
			);
		}
	});
	return transport;
}

/** New ICE credentials from the server, then an ICE restart in the browser. */
export async function restartIce(transport: types.Transport, request: Request, sessionId: string): Promise<void> {
	if (transport.closed) return;
	const { iceParameters } = await request('media:restartIce', { sessionId, transportId: transport.id });
	await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
}

/** How a source is sent: the camera in simulcast layers, a screen capped, the microphone with Opus DTX and FEC. */
export function encodingsFor(source: MediaSource, caps: MediaCapabilities | null): Pick<types.ProducerOptions, 'encodings' | 'codecOptions'> {
	if (source === 'camera' && caps) return { encodings: caps.cameraLayers.map((l) => ({ ...l })), codecOptions: { videoGoogleStartBitrate: 1000 } };
	if (source === 'screen' && caps) return { encodings: [{ maxBitrate: caps.screenMaxBitrate }] };
	return { codecOptions: { opusDtx: true, opusFec: true } };
}
