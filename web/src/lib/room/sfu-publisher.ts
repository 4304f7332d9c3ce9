/**
 * What this tab publishes to the SFU: one mediasoup producer per source
 * (microphone, camera, screen) on the send transport. On the direct path of
 * a call of two it publishes nothing, and it stops everything when a call
 * moves there.
 */
import type { types } from 'mediasoup-client';
import type { MediaSource } from '$shared/protocol/index.ts';
import type { log as rootLog } from '$lib/log.ts';
import { encodingsFor, type Request } from './transports.ts';
import type { LocalControls } from './local-controls.svelte.ts';
import type { RouterDevice } from './router-device.ts';
import { secureProducer, standIn, type CallEncryption } from './e2ee/call-encryption.ts';

export interface PublisherHost {
	readonly sessionId: string;
	readonly log: typeof rootLog;
	readonly request: Request;
	readonly router: RouterDevice;
	readonly local: LocalControls;
	/** End-to-end encryption of the frames; null when this browser cannot transform encoded frames. */
	readonly encryption: CallEncryption | null;
	transport(): types.Transport | null;
	/** False on the direct path: nothing goes to the SFU. */
	allowed(): boolean;
}

export class SfuPublisher {
	producers: Partial<Record<MediaSource, types.Producer>> = {};
	private readonly host: PublisherHost;

	constructor(host: PublisherHost) {
		this.host = host;
	}

	/** Publishes every track that should be on and is not yet. */
	async publishAll(): Promise<void> {
		// Camera first: mediasoup-client negotiates one track at a time, and the
		// first remote frame is what people wait for (audio follows within ms).
		const jobs: Promise<unknown>[] = [];
		const { cameraOn, localCamera, micTrack, micOn, screenOn, localScreen } = this.host.local;
		if (cameraOn && localCamera && !this.producers.camera) jobs.push(this.publish('camera', localCamera, false));
		if (micTrack && micTrack.readyState === 'live' && !this.producers.mic) jobs.push(this.publish('mic', micTrack, !micOn));
		if (screenOn && localScreen && !this.producers.screen) jobs.push(this.publish('screen', localScreen, false));
		await Promise.all(jobs);
	}

	async publish(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
		const transport = this.host.transport();
		if (!transport || transport.closed || !this.host.allowed()) return;
		const { encryption } = this.host;
		// Encrypted: a stand-in track until the sender's transform is set, so no frame leaves in clear.
		const producer = await transport.produce({
			track: encryption ? standIn(track) : track,
			stopTracks: false,
			appData: { source, paused },
			...encodingsFor(source, this.host.router.caps)
		});
		if (encryption) await secureProducer(encryption, producer, track);
		if (paused) producer.pause();
		this.producers[source] = producer;
		producer.on('transportclose', () => {
			if (this.producers[source] === producer) delete this.producers[source];
		});
	}

	/** After a reconnect: forgets the producers the server no longer has. */
	keepOnly(producerIds: string[]): void {
		for (const [source, producer] of Object.entries(this.producers)) {
			if (producer && !producerIds.includes(producer.id)) {
				producer.close();
				delete this.producers[source as MediaSource];
			}
		}
	}

	/** The call went direct: the SFU gets nothing from this tab any more. */
	async unpublishAll(): Promise<void> {
		const producers = Object.values(this.producers);
		this.producers = {};
		await Promise.all(
			producers.map((p) => {
				p.close();
				return this.host.request('media:closeProducer', { sessionId: this.host.sessionId, producerId: p.id }).catch((err: { code?: string }) => {
					// Already gone at the server (transport closed, reconnect): nothing to stop.
					if (err.code !== 'not_found') this.host.log.warn({ err, code: err.code }, 'could not stop sending to the SFU');
				});
			})
		);
	}

	/** The transports closed: their producers went with them. */
	forget(): void {
		this.producers = {};
	}
}
