/**
 * The mediasoup Device for the room's current router, with the router's
 * capabilities (codecs, ICE servers, camera layers) as last told.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaCapabilities } from '$shared/protocol/index.ts';
import { rtpCapabilities } from '$shared/protocol/media.ts';

export class RouterDevice {
	device: Device | null = null;
	routerId: string | null = null;
	caps: MediaCapabilities | null = null;

	/** Takes the router's capabilities; a router not seen before gets its Device. */
	async load(caps: MediaCapabilities): Promise<void> {
		this.caps = caps;
		if (this.device && this.routerId === caps.routerId) return;
		// A new router (the old worker died) may number codecs differently: start from a fresh Device.
		// mediasoup-client is a chunk of its own, fetched once the room prepares: the session page shows without it.
		const { Device } = await import('mediasoup-client');
		const device = new Device();
		await device.load({ routerRtpCapabilities: caps.routerRtpCapabilities as types.RtpCapabilities });
		this.device = device;
		this.routerId = caps.routerId;
	}

	/** What this browser receives, in the protocol's terms (mediasoup-client's type is wider). */
	receives() {
		return rtpCapabilities.parse(this.device?.rtpCapabilities);
	}
}
