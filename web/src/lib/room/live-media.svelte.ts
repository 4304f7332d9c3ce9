/**
 * The browser side of the live room: a mediasoup Device, a send and a
 * receive transport, this person's microphone, camera and screen, and the
 * tracks of everyone else. It sets itself up again whenever it has to:
 * - the session socket reconnected: the server may still hold this tab's
 *   transports (ICE restart, cheap) or not (server restarted: new ones);
 * - the server lost the media (a worker died): it says `renegotiate`;
 * - a transport failed while the socket stayed up: ICE restart.
 * All set-up steps run one at a time, so overlapping causes cannot interleave.
 */
import { Device, type types } from 'mediasoup-client';
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import type { Result } from '$shared/result.ts';
import type {
	ConsumerOptions,
	MediaCapabilities,
	MediaJoined,
	MediaSource,
	MediaTransports,
	ProducerInfo
} from '$shared/protocol/media.ts';
import { acquireOne } from './devices.ts';
import type { Quality } from './quality.ts';
import { CallStats, inboundAudio } from './call-stats.ts';
import { tabPeerId } from './choice.ts';

export type MediaStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'replaced' | 'unavailable';

/** A track someone else publishes, as this tab receives it. */
export interface RemoteTrack {
	producerId: string;
	consumerId: string;
	userId: string;
	kind: 'audio' | 'video';
	source: MediaSource;
	track: MediaStreamTrack;
	/** The sender muted it (microphone) or turned it off (camera). */
	paused: boolean;
}

/** How long a `disconnected` transport may try to recover by itself before we restart ICE. */
const DISCONNECTED_GRACE_MS = 1500;
const STATS_EVERY_MS = 2000;

/** Timings of the last join, for the join benchmark (exposed on window.confidanteRoom). */
export const mark = (name: string, detail?: unknown) => {
	try {
		performance.mark(`room:${name}`, { detail });
	} catch {
		// performance.mark with detail is missing in very old browsers; timings are optional.
	}
};

export class LiveMedia {
	status = $state<MediaStatus>('idle');
	problem = $state<string | null>(null);
	remote = $state.raw<RemoteTrack[]>([]);
	micOn = $state(false);
	cameraOn = $state(false);
	screenOn = $state(false);
	/** This person's tracks, for the self view. */
	localCamera = $state.raw<MediaStreamTrack | null>(null);
	localScreen = $state.raw<MediaStreamTrack | null>(null);
	hasMic = $state(false);
	/** Who is past the pre-join screen (user ids); the others are only looking at their preview. */
	inCall = $state.raw<string[]>([]);
	/** Connection quality per user id (this person under their own id). */
	quality = $state<Record<string, Quality>>({});

	private readonly connection: SessionConnection;
	private readonly sessionId: string;
	private readonly userId: string;
	private readonly peerId = tabPeerId();
	private device: Device | null = null;
	private routerId: string | null = null;
	private caps: MediaCapabilities | null = null;
	private sendTransport: types.Transport | null = null;
	private recvTransport: types.Transport | null = null;
	private producers: Partial<Record<MediaSource, types.Producer>> = {};
	private consumers = new Map<string, types.Consumer>();
	private hidden = new Set<string>();
	/** Simulcast layer each tile asked for, by producer id (kept across consumer re-creation). */
	private layers = new Map<string, number>();
	private micTrack: MediaStreamTrack | null = null;
	private cameraId: string | undefined;
	private wanted = false;
	/** Transports were made on the pre-join screen and not used yet. */
	private prepared = false;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly stats = new CallStats();
	private statsTimer: ReturnType<typeof setInterval> | null = null;
	private unsubscribe: Array<() => void> = [];

	constructor(connection: SessionConnection, userId: string) {
		this.connection = connection;
		this.sessionId = connection.sessionId;
		this.userId = userId;
		const s = connection.socket;
		const mine = (m: { sessionId: string }) => m.sessionId === this.sessionId && this.wanted;
		const on = <A extends { sessionId: string }>(event: string, fn: (m: A) => void) => {
			const handler = (m: A) => mine(m) && fn(m);
			(s as unknown as { on(e: string, f: (m: A) => void): void }).on(event, handler);
			this.unsubscribe.push(() => (s as unknown as { off(e: string, f: (m: A) => void): void }).off(event, handler));
		};
		on<{ sessionId: string; producer: ProducerInfo }>('media:newProducer', (m) => {
			mark('new-producer', { kind: m.producer.kind });
			void this.serial(() => this.consume(m.producer));
		});
		on<{ sessionId: string; producerId: string }>('media:producerClosed', (m) => this.dropConsumerOf(m.producerId));
		on<{ sessionId: string; userIds: string[] }>('media:inCall', (m) => (this.inCall = m.userIds));
		on<{ sessionId: string; producerId: string }>('media:producerPaused', (m) => this.markPaused(m.producerId, true));
		on<{ sessionId: string; producerId: string }>('media:producerResumed', (m) => this.markPaused(m.producerId, false));
		on<{ sessionId: string; reason: string }>('media:renegotiate', () => void this.serial(() => this.setUp()));
		// Transports made on the pre-join screen died with their worker: make new ones on Join.
		const unprepare = (m: { sessionId: string }) => {
			if (m.sessionId === this.sessionId) this.prepared = false;
		};
		s.on('media:renegotiate', unprepare);
		this.unsubscribe.push(() => s.off('media:renegotiate', unprepare));
		on<{ sessionId: string }>('media:replaced', () => {
			this.status = 'replaced';
			this.closeTransports();
		});
		const onDisconnect = () => {
			this.prepared = false;
			if (this.wanted && this.status === 'live') this.status = 'reconnecting';
		};
		s.on('disconnect', onDisconnect);
		this.unsubscribe.push(() => s.off('disconnect', onDisconnect));
		this.unsubscribe.push(
			connection.onJoined(() => {
				if (this.wanted && this.status !== 'replaced') void this.serial(() => this.setUp());
			})
		);
	}

	/** Loads the router's capabilities while the person is still on the pre-join screen. */
	async prepare(): Promise<void> {
		await this.serial(async () => {
			await this.loadDevice();
			// Transports too: the click on Join then only publishes. Nobody sees
			// this tab in the room until it produces something.
			await this.request<MediaJoined>('media:join', { peerId: this.peerId, rtpCapabilities: this.device!.rtpCapabilities, entering: false });
			await this.newTransports();
			this.prepared = true;
		});
		mark('prepared');
	}

	/** Enters the room with the tracks from the pre-join screen. */
	async join(tracks: { mic: MediaStreamTrack | null; camera: MediaStreamTrack | null; micOn: boolean; cameraOn: boolean; cameraId?: string }): Promise<void> {
		this.micTrack = tracks.mic;
		this.hasMic = Boolean(tracks.mic);
		this.micOn = Boolean(tracks.mic) && tracks.micOn;
		this.cameraId = tracks.cameraId;
		if (tracks.camera && tracks.cameraOn) {
			this.localCamera = tracks.camera;
			this.cameraOn = true;
		} else {
			tracks.camera?.stop();
		}
		this.wanted = true;
		this.status = 'connecting';
		this.statsTimer ??= setInterval(() => void this.measure(), STATS_EVERY_MS);
		if (this.connection.status === 'online') await this.serial(() => this.setUp());
		// Otherwise the connection's next join runs setUp.
	}

	/** Takes this tab back after another tab of the same person took over. */
	async reclaim(): Promise<void> {
		this.status = 'connecting';
		await this.serial(() => this.setUp());
	}

	private serial<T>(fn: () => Promise<T>): Promise<T | undefined> {
		const run = this.queue.then(fn).catch((err: unknown) => {
			console.warn('[room]', err);
			if (this.wanted && this.status !== 'replaced') {
				this.problem = 'Video could not connect; retrying…';
				setTimeout(() => this.connection.socket.connected && this.wanted && void this.serial(() => this.setUp()), 1000);
			}
			return undefined;
		});
		this.queue = run;
		return run;
	}

	private async request<T>(event: string, payload: Record<string, unknown>): Promise<T> {
		const r: Result<T> = await this.connection.request<T>(event, { sessionId: this.sessionId, ...payload });
		if (!r.ok) {
			if (r.error.code === 'unavailable' && event === 'media:capabilities') this.status = 'unavailable';
			throw Object.assign(new Error(`${event}: ${r.error.message}`), { code: r.error.code });
		}
		return r.value;
	}

	private async loadDevice(): Promise<void> {
		const caps = await this.request<MediaCapabilities>('media:capabilities', {});
		this.caps = caps;
		if (this.device && this.routerId === caps.routerId) return;
		// A new router (the old worker died) may number codecs differently: start from a fresh Device.
		const device = new Device();
		await device.load({ routerRtpCapabilities: caps.routerRtpCapabilities as types.RtpCapabilities });
		this.device = device;
		this.routerId = caps.routerId;
	}

	/** Brings this tab's media in line with the server, reusing what survived. */
	private async setUp(): Promise<void> {
		if (!this.wanted) return;
		if (!this.connection.socket.connected) return;
		if (this.status !== 'live') this.status = this.status === 'idle' ? 'connecting' : this.status;
		if (this.prepared && this.sendTransport && !this.sendTransport.closed) {
			// Transports made on the pre-join screen over this same socket: publish at once,
			// and learn what the others publish meanwhile.
			this.prepared = false;
			mark('signalled');
			const [joined] = await Promise.all([
				this.request<MediaJoined>('media:join', { peerId: this.peerId, rtpCapabilities: this.device!.rtpCapabilities, entering: true }),
				this.publishAll().then(() => mark('published'))
			]);
			this.inCall = joined.inCall;
			await this.syncConsumers(joined.producers);
			this.status = 'live';
			this.problem = null;
			return;
		}
		await this.loadDevice();
		const device = this.device!;
		const joined = await this.request<MediaJoined>('media:join', { peerId: this.peerId, rtpCapabilities: device.rtpCapabilities, entering: true });
		this.inCall = joined.inCall;
		if (joined.routerId !== this.routerId) {
			// The room moved between our two requests; go round again with the new router.
			await this.loadDevice();
			return this.setUp();
		}
		const kept = joined.kept;
		if (kept && this.sendTransport?.id === kept.sendTransportId && this.recvTransport?.id === kept.recvTransportId && !this.sendTransport.closed) {
			await Promise.all([this.restartIce(this.sendTransport), this.restartIce(this.recvTransport)]);
			for (const [source, producer] of Object.entries(this.producers)) {
				if (producer && !kept.producerIds.includes(producer.id)) {
					producer.close();
					delete this.producers[source as MediaSource];
				}
			}
		} else {
			await this.newTransports();
			mark('signalled');
		}
		await this.publishAll();
		mark('published');
		await this.syncConsumers(joined.producers);
		this.status = 'live';
		this.problem = null;
	}

	private async newTransports(): Promise<void> {
		this.closeTransports();
		const t = await this.request<MediaTransports>('media:createTransports', {});
		this.sendTransport = this.makeTransport('send', t.send);
		this.recvTransport = this.makeTransport('recv', t.recv);
	}

	private makeTransport(direction: 'send' | 'recv', options: MediaTransports['send']): types.Transport {
		const device = this.device!;
		const init = {
			id: options.id,
			iceParameters: options.iceParameters as types.IceParameters,
			iceCandidates: options.iceCandidates as types.IceCandidate[],
			dtlsParameters: options.dtlsParameters as types.DtlsParameters,
			iceServers: this.caps?.iceServers as RTCIceServer[] | undefined
		};
		const transport = direction === 'send' ? device.createSendTransport(init) : device.createRecvTransport(init);
		transport.on('connect', ({ dtlsParameters }, done, fail) => {
			this.request('media:connectTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
		});
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
				this.request<{ producerId: string }>('media:produce', { transportId: transport.id, kind, rtpParameters, source: appData.source, paused: appData.paused === true }).then(
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
				// The socket may be fine while the media path broke (new network): restart ICE.
				if (recovering) return;
				recovering = setTimeout(
					() => {
						recovering = null;
						if (!transport.closed && transport.connectionState !== 'connected' && this.connection.socket.connected) {
							void this.serial(() => this.restartIce(transport));
						}
					},
					state === 'failed' ? 0 : DISCONNECTED_GRACE_MS
				);
			}
		});
		return transport;
	}

	private async restartIce(transport: types.Transport): Promise<void> {
		if (transport.closed) return;
		const { iceParameters } = await this.request<{ iceParameters: types.IceParameters }>('media:restartIce', { transportId: transport.id });
		await transport.restartIce({ iceParameters });
	}

	/** Publishes every track that should be on and is not yet. */
	private async publishAll(): Promise<void> {
		// Camera first: mediasoup-client negotiates one track at a time, and the
		// first remote frame is what people wait for (audio follows within ms).
		const jobs: Promise<unknown>[] = [];
		if (this.cameraOn && this.localCamera && !this.producers.camera) jobs.push(this.publish('camera', this.localCamera, false));
		if (this.micTrack && this.micTrack.readyState === 'live' && !this.producers.mic) jobs.push(this.publish('mic', this.micTrack, !this.micOn));
		if (this.screenOn && this.localScreen && !this.producers.screen) jobs.push(this.publish('screen', this.localScreen, false));
		await Promise.all(jobs);
	}

	private async publish(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
		const transport = this.sendTransport;
		if (!transport || transport.closed) return;
		const caps = this.caps;
		const producer = await transport.produce({
			track,
			stopTracks: false,
			appData: { source, paused },
			...(source === 'camera' && caps
				? { encodings: caps.cameraLayers.map((l) => ({ ...l })), codecOptions: { videoGoogleStartBitrate: 1000 } }
				: source === 'screen' && caps
					? { encodings: [{ maxBitrate: caps.screenMaxBitrate }] }
					: { codecOptions: { opusDtx: true, opusFec: true } })
		});
		if (paused) producer.pause();
		this.producers[source] = producer;
		producer.on('transportclose', () => {
			if (this.producers[source] === producer) delete this.producers[source];
		});
	}

	/** Consumes what the server lists and drops consumers of producers that are gone. */
	private async syncConsumers(list: ProducerInfo[]): Promise<void> {
		const wanted = new Set(list.map((p) => p.producerId));
		for (const r of this.remote) if (!wanted.has(r.producerId)) this.dropConsumerOf(r.producerId);
		await Promise.all(list.filter((p) => !this.remote.some((r) => r.producerId === p.producerId && !this.consumers.get(r.consumerId)?.closed)).map((p) => this.consume(p)));
		for (const p of list) this.markPaused(p.producerId, p.paused);
	}

	private async consume(info: ProducerInfo): Promise<void> {
		const transport = this.recvTransport;
		if (!transport || transport.closed || info.userId === this.userId) return;
		// Announced and listed both (it appeared while we joined): one consumer is enough.
		if (this.remote.some((r) => r.producerId === info.producerId && this.consumers.get(r.consumerId)?.closed === false)) return;
		const options = await this.request<ConsumerOptions>('media:consume', { producerId: info.producerId }).catch((err: { code?: string }) => {
			// The producer closed meanwhile: nothing to show.
			if (err.code === 'not_found') return null;
			throw err;
		});
		if (!options || transport.closed) return;
		const consumer = await transport.consume({
			id: options.consumerId,
			producerId: options.producerId,
			kind: options.kind,
			rtpParameters: options.rtpParameters as types.RtpParameters
		});
		this.dropConsumerOf(options.producerId);
		this.consumers.set(consumer.id, consumer);
		consumer.on('transportclose', () => this.forgetConsumer(consumer.id));
		this.remote = [
			...this.remote,
			{ producerId: options.producerId, consumerId: consumer.id, userId: options.userId, kind: options.kind, source: options.source, track: consumer.track, paused: options.producerPaused }
		];
		mark('consumer-ready', { kind: options.kind });
		const layer = this.layers.get(options.producerId);
		if (layer !== undefined && options.kind === 'video') await this.request('media:preferLayer', { consumerId: consumer.id, spatialLayer: layer });
		if (!this.hidden.has(options.producerId)) await this.request('media:resumeConsumer', { consumerId: consumer.id });
		mark('consumer-resumed', { kind: options.kind });
	}

	private dropConsumerOf(producerId: string): void {
		const r = this.remote.find((x) => x.producerId === producerId);
		if (!r) return;
		this.consumers.get(r.consumerId)?.close();
		this.forgetConsumer(r.consumerId);
	}

	private forgetConsumer(consumerId: string): void {
		this.consumers.delete(consumerId);
		if (this.remote.some((r) => r.consumerId === consumerId)) this.remote = this.remote.filter((r) => r.consumerId !== consumerId);
	}

	private markPaused(producerId: string, paused: boolean): void {
		if (!this.remote.some((r) => r.producerId === producerId && r.paused !== paused)) return;
		this.remote = this.remote.map((r) => (r.producerId === producerId ? { ...r, paused } : r));
	}

	/** A tile scrolled out of view (or back): stop or restart its video at the server. */
	async setVisible(producerId: string, visible: boolean): Promise<void> {
		if (visible) this.hidden.delete(producerId);
		else this.hidden.add(producerId);
		const r = this.remote.find((x) => x.producerId === producerId);
		if (!r || r.kind !== 'video') return;
		await this.request(visible ? 'media:resumeConsumer' : 'media:pauseConsumer', { consumerId: r.consumerId }).catch((err: unknown) => console.warn('[room]', err));
	}

	/** A small tile (grid, strip) needs the small layer; a large one the full picture. */
	async preferLayer(producerId: string, small: boolean): Promise<void> {
		const spatialLayer = small ? 0 : Math.max(0, (this.caps?.cameraLayers.length ?? 1) - 1);
		if (this.layers.get(producerId) === spatialLayer) return;
		this.layers.set(producerId, spatialLayer);
		const r = this.remote.find((x) => x.producerId === producerId);
		if (!r || r.kind !== 'video') return;
		await this.request('media:preferLayer', { consumerId: r.consumerId, spatialLayer }).catch((err: unknown) => console.warn('[room]', err));
	}

	async setMic(on: boolean): Promise<void> {
		const producer = this.producers.mic;
		this.micOn = on && this.hasMic;
		if (!producer) return;
		if (on) producer.resume();
		else producer.pause();
		await this.request(on ? 'media:resumeProducer' : 'media:pauseProducer', { producerId: producer.id }).catch((err: unknown) => console.warn('[room]', err));
	}

	/** Camera off also releases the camera, so its light goes out. */
	async setCamera(on: boolean): Promise<void> {
		if (!on) {
			this.cameraOn = false;
			const producer = this.producers.camera;
			if (producer) {
				producer.pause();
				await this.request('media:pauseProducer', { producerId: producer.id }).catch((err: unknown) => console.warn('[room]', err));
			}
			this.localCamera?.stop();
			this.localCamera = null;
			return;
		}
		const got = await acquireOne('camera', this.cameraId);
		if ('problem' in got) {
			this.problem = got.problem;
			return;
		}
		this.localCamera = got.track;
		this.cameraOn = true;
		this.problem = null;
		const producer = this.producers.camera;
		if (producer && !producer.closed) {
			await producer.replaceTrack({ track: got.track });
			producer.resume();
			await this.request('media:resumeProducer', { producerId: producer.id }).catch((err: unknown) => console.warn('[room]', err));
		} else if (this.status === 'live') {
			await this.serial(() => this.publish('camera', got.track, false));
		}
	}

	async setScreen(on: boolean): Promise<void> {
		if (!on) {
			this.screenOn = false;
			const producer = this.producers.screen;
			delete this.producers.screen;
			if (producer) {
				producer.close();
				await this.request('media:closeProducer', { producerId: producer.id }).catch((err: unknown) => console.warn('[room]', err));
			}
			this.localScreen?.stop();
			this.localScreen = null;
			return;
		}
		let track: MediaStreamTrack | undefined;
		try {
			const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
			track = stream.getVideoTracks()[0];
		} catch (err) {
			// Cancelling the browser's picker is a choice, not a problem.
			if ((err as { name?: string }).name !== 'NotAllowedError') this.problem = 'Your screen could not be shared in this browser.';
			return;
		}
		if (!track) return;
		track.contentHint = 'detail';
		track.addEventListener('ended', () => void this.setScreen(false));
		this.localScreen = track;
		this.screenOn = true;
		if (this.status === 'live') await this.serial(() => this.publish('screen', track, false));
	}

	/** Per-person connection figures, every few seconds. */
	private async measure(): Promise<void> {
		const next = await this.stats.measure(this.remote, this.consumers, this.sendTransport, this.userId);
		if (next) this.quality = next;
	}

	/** Received audio per person, for tests and the benchmark (window.confidanteRoom). */
	inboundAudio(): Promise<Record<string, { bytes: number; energy: number }>> {
		return inboundAudio(this.remote, this.consumers);
	}

	private closeTransports(): void {
		this.sendTransport?.close();
		this.recvTransport?.close();
		this.sendTransport = null;
		this.recvTransport = null;
		this.producers = {};
		this.consumers.clear();
		this.remote = [];
		this.stats.reset();
	}

	/** Leaves the room: tells the server, stops the devices. */
	leave(): void {
		if (this.wanted && this.connection.socket.connected) this.connection.socket.emit('media:leave', { sessionId: this.sessionId }, () => {});
		this.wanted = false;
		this.status = 'idle';
		this.closeTransports();
		this.micTrack?.stop();
		this.localCamera?.stop();
		this.localScreen?.stop();
		this.micTrack = null;
		this.localCamera = null;
		this.localScreen = null;
		this.cameraOn = this.micOn = this.screenOn = false;
	}

	destroy(): void {
		this.leave();
		if (this.statsTimer) clearInterval(this.statsTimer);
		for (const off of this.unsubscribe) off();
		this.unsubscribe = [];
	}
}
