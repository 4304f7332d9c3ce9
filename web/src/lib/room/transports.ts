/**
 * A mediasoup transport wired to the server's signalling: connecting
 * (DTLS), producing on the send side, and recovering by itself when its
 * media path breaks while the socket stays up.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaCapabilities, MediaJoined, MediaSource, MediaTransports, Reply, RequestName, RequestPayload } from '$shared/protocol/index.ts';
import { mediaSource, rtpParameters as rtpParametersSchema } from '$shared/protocol/media.ts';
import { backoff, retryKnobs } from '$shared/retry.ts';
import { Retry } from '$lib/retry.ts';
import { mark } from './marks.ts';
import type { RouterDevice } from './router-device.ts';

/** The call's requests: media, and the key exchange of end-to-end encryption. */
export type MediaRequestName = Extract<RequestName, `media:${string}` | `e2ee:${string}`>;
/** A signalling request; resolves with the reply, rejects with the server's message and code. */
export type Request = <K extends MediaRequestName>(name: K, payload: RequestPayload<K>) => Promise<Reply<K>>;

export interface TransportContext {
	sessionId: string;
	iceServers: RTCIceServer[] | undefined;
	request: Request;
	/**
	 * Frames are encrypted end to end: the connection is made with
	 * `encodedInsertableStreams`, which the older API needs, and with which
	 * Chromium holds back a sender's frames until its transform is set (a
	 * transform set later on a connection without it is silently bypassed:
	 * frames would go out in clear).
	 */
	insertableStreams?: boolean;
	/** The transport failed, or stayed disconnected past the grace time (and again while it stays broken): restart its ICE. */
	recover(transport: types.Transport): void;
}

export function createTransport(device: Device, direction: 'send' | 'recv', options: MediaTransports['send'], ctx: TransportContext): types.Transport {
	const init = {
		id: options.id,
		iceParameters: options.iceParameters as types.IceParameters,
		iceCandidates: options.iceCandidates as types.IceCandidate[],
		dtlsParameters: options.dtlsParameters as types.DtlsParameters,
		iceServers: ctx.iceServers,
		...(ctx.insertableStreams ? { additionalSettings: { encodedInsertableStreams: true } as RTCConfiguration } : {})
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
	watchIce(transport, direction, ctx);
	return transport;
}

/**
 * A `disconnected` transport gets the policy's first delay to recover by
 * itself; a `failed` one is restarted at once. While it stays broken, ICE
 * is restarted again on the policy's growing delays (a restart can fail
 * silently, leaving the state where it was), until it connects or closes.
 */
export function watchIce(transport: types.Transport, direction: 'send' | 'recv', ctx: TransportContext): void {
	const retry = new Retry({
		policy: backoff(retryKnobs.iceRestart),
		attempt: () => {
			if (transport.closed || transport.connectionState === 'connected') return retry.succeeded();
			ctx.recover(transport);
			retry.failed();
		}
	});
	transport.on('connectionstatechange', (state) => {
		if (state === 'connected') {
			mark(`${direction}-connected`);
			retry.succeeded();
		} else if (state === 'failed' || state === 'disconnected') {
			retry.failed();
			if (state === 'failed') retry.now();
		}
	});
	transport.observer.on('close', () => retry.destroy());
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

/** This tab's send and receive transports at the SFU: made together, restarted together, closed together. */
export class TransportPair {
	send: types.Transport | null = null;
	recv: types.Transport | null = null;
	private readonly ctx: Omit<TransportContext, 'iceServers'> & { router: RouterDevice };

	constructor(ctx: Omit<TransportContext, 'iceServers'> & { router: RouterDevice }) {
		this.ctx = ctx;
	}

	/** New transports from the server (the old ones closed first). */
	async renew(): Promise<void> {
		this.close();
		const { router, ...ctx } = this.ctx;
		const t = await ctx.request('media:createTransports', { sessionId: ctx.sessionId });
		const context = { ...ctx, iceServers: router.caps?.iceServers };
		this.send = createTransport(router.device!, 'send', t.send, context);
		this.recv = createTransport(router.device!, 'recv', t.recv, context);
	}

	/** Whether the server kept exactly these transports across a socket drop (then an ICE restart is enough). */
	keptBy(kept: MediaJoined['kept']): boolean {
		return Boolean(kept && this.send?.id === kept.sendTransportId && this.recv?.id === kept.recvTransportId && !this.send.closed);
	}

	restartIce(): Promise<unknown> {
		const { request, sessionId } = this.ctx;
		return Promise.all([this.send, this.recv].map((t) => t && restartIce(t, request, sessionId)));
	}

	close(): void {
		this.send?.close();
		this.recv?.close();
		this.send = null;
		this.recv = null;
	}
}
