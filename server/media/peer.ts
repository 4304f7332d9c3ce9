/**
 * One participant's media in a session: a send and a receive transport, what
 * they publish (mic, camera, screen) and what they receive from the others.
 * The peer outlives a dropped socket (within the presence grace) so a
 * reconnecting tab can restart ICE on the same transports instead of
 * setting everything up again.
 */
import type { types } from 'mediasoup';
import type { MediaRtpCapabilities, MediaSource } from '../../shared/protocol/media.ts';

export interface ProducerData {
	[key: string]: unknown;
	userId: string;
	source: MediaSource;
}

export class MediaPeer {
	readonly userId: string;
	/** The browser tab's own id: the same tab after a reconnect keeps its transports. */
	readonly peerId: string;
	/** The socket that speaks for this peer now; null while it reconnects. */
	socketId: string | null;
	rtpCapabilities: MediaRtpCapabilities;
	/** Past the pre-join screen: shown to the others as in the call. */
	inCall = false;
	/** The browser can encrypt frames end to end (it says so; see server/media/e2ee.ts). */
	e2ee = false;
	/** Its ECDH public key for this call (base64url), once announced. */
	publicKey: string | null = null;
	send: types.WebRtcTransport | null = null;
	recv: types.WebRtcTransport | null = null;
	readonly producers = new Map<string, types.Producer<ProducerData>>();
	readonly consumers = new Map<string, types.Consumer>();

	constructor(userId: string, peerId: string, socketId: string, rtpCapabilities: MediaRtpCapabilities) {
		this.userId = userId;
		this.peerId = peerId;
		this.socketId = socketId;
		this.rtpCapabilities = rtpCapabilities;
	}

	transport(id: string): types.WebRtcTransport | null {
		if (this.send?.id === id && !this.send.closed) return this.send;
		if (this.recv?.id === id && !this.recv.closed) return this.recv;
		return null;
	}

	/** The consumer this peer already has for a producer, if any. */
	consumerOf(producerId: string): types.Consumer | null {
		for (const c of this.consumers.values()) if (c.producerId === producerId) return c;
		return null;
	}

	/**
	 * Closes the transports, which closes every producer and consumer on them.
	 * Producer 'close' observers tell the others.
	 */
	closeTransports(): void {
		this.send?.close();
		this.recv?.close();
		this.send = null;
		this.recv = null;
		this.producers.clear();
		this.consumers.clear();
	}

	/** Forgets transports that closed under us (their router or worker went away). */
	forgetTransports(): void {
		this.send = null;
		this.recv = null;
		this.producers.clear();
		this.consumers.clear();
	}
}
