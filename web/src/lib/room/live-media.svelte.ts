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
import type { Device, types } from 'mediasoup-client';
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import type { Result } from '$shared/result.ts';
import type { MediaCapabilities, MediaJoined, MediaSource, MediaTransports, ProducerInfo } from '$shared/protocol/media.ts';
import { acquireOne, acquireScreen } from './devices.ts';
import type { Quality } from './quality.ts';
import { CallStats, inboundAudio } from './call-stats.ts';
import { tabPeerId } from './choice.ts';
import { mark } from './marks.ts';
import { createTransport, encodingsFor, restartIce, type Request } from './transports.ts';
import { RemoteTracks, type RemoteTrack } from './remote-tracks.svelte.ts';

export type { RemoteTrack } from './remote-tracks.svelte.ts';

export type MediaStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'replaced' | 'unavailable';

const STATS_EVERY_MS = 2000;

export class LiveMedia {
	status = $state<MediaStatus>('idle');
	problem = $state<string | null>(null);
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

	/** Everyone else's tracks, as this tab receives them. */
	get remote(): RemoteTrack[] {
		return this.tracks.list;
	}

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
	private micTrack: MediaStreamTrack | null = null;
	private cameraId: string | undefined;
	private wanted = false;
	/** Transports were made on the pre-join screen and not used yet. */
	private prepared = false;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly stats = new CallStats();
	private statsTimer: ReturnType<typeof setInterval> | null = null;
	private unsubscribe: Array<() => void> = [];
	/** Everyone else's tracks. */
	private readonly tracks: RemoteTracks;

	constructor(connection: SessionConnection, userId: string) {
		this.connection = connection;
		this.sessionId = connection.sessionId;
		this.userId = userId;
		this.tracks = new RemoteTracks({
			userId,
			request: this.request,
			largestLayer: () => Math.max(0, (this.caps?.cameraLayers.length ?? 1) - 1)
		});
		const s = connection.socket;
		const mine = (m: { sessionId: string }) => m.sessionId === this.sessionId && this.wanted;
		const listen = <A>(event: string, handler: (m: A) => void) => {
			const target = s as unknown as { on(e: string, f: (m: A) => void): void; off(e: string, f: (m: A) => void): void };
			target.on(event, handler);
			this.unsubscribe.push(() => target.off(event, handler));
		};
		const on = <A extends { sessionId: string }>(event: string, fn: (m: A) => void) => listen<A>(event, (m) => mine(m) && fn(m));
		on<{ sessionId: string; producer: ProducerInfo }>('media:newProducer', (m) => {
			mark('new-producer', { kind: m.producer.kind });
			void this.serial(() => this.tracks.consume(this.recvTransport, m.producer));
		});
		on<{ sessionId: string; producerId: string }>('media:producerClosed', (m) => this.tracks.dropConsumerOf(m.producerId));
		on<{ sessionId: string; userIds: string[] }>('media:inCall', (m) => (this.inCall = m.userIds));
		on<{ sessionId: string; producerId: string }>('media:producerPaused', (m) => this.tracks.markPaused(m.producerId, true));
		on<{ sessionId: string; producerId: string }>('media:producerResumed', (m) => this.tracks.markPaused(m.producerId, false));
		on<{ sessionId: string; reason: string }>('media:renegotiate', () => void this.serial(() => this.setUp()));
		// Transports made on the pre-join screen died with their worker: make new ones on Join.
		listen<{ sessionId: string }>('media:renegotiate', (m) => {
			if (m.sessionId === this.sessionId) this.prepared = false;
		});
		on<{ sessionId: string }>('media:replaced', () => {
			this.status = 'replaced';
			this.closeTransports();
		});
		listen('disconnect', () => {
			this.prepared = false;
			if (this.wanted && this.status === 'live') this.status = 'reconnecting';
		});
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

	// An arrow, so the transports and the received tracks can call it as it is.
	private readonly request: Request = async <T>(event: string, payload: Record<string, unknown>): Promise<T> => {
		const r: Result<T> = await this.connection.request<T>(event, { sessionId: this.sessionId, ...payload });
		if (!r.ok) {
			if (r.error.code === 'unavailable' && event === 'media:capabilities') this.status = 'unavailable';
			throw Object.assign(new Error(`${event}: ${r.error.message}`), { code: r.error.code });
		}
		return r.value;
	};

	private async loadDevice(): Promise<void> {
		const caps = await this.request<MediaCapabilities>('media:capabilities', {});
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
			await this.tracks.sync(this.recvTransport, joined.producers);
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
			await Promise.all([restartIce(this.sendTransport, this.request), restartIce(this.recvTransport, this.request)]);
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
		await this.tracks.sync(this.recvTransport, joined.producers);
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
		return createTransport(this.device!, direction, options, {
			iceServers: this.caps?.iceServers as RTCIceServer[] | undefined,
			request: this.request,
			// The socket may be fine while the media path broke (new network): restart ICE.
			recover: (transport) => {
				if (this.connection.socket.connected) void this.serial(() => restartIce(transport, this.request));
			}
		});
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
		const producer = await transport.produce({
			track,
			stopTracks: false,
			appData: { source, paused },
			...encodingsFor(source, this.caps)
		});
		if (paused) producer.pause();
		this.producers[source] = producer;
		producer.on('transportclose', () => {
			if (this.producers[source] === producer) delete this.producers[source];
		});
	}

	/** A tile scrolled out of view (or back): stop or restart its video at the server. */
	setVisible(producerId: string, visible: boolean): Promise<void> {
		return this.tracks.setVisible(producerId, visible);
	}

	/** A small tile (grid, strip) needs the small layer; a large one the full picture. */
	preferLayer(producerId: string, small: boolean): Promise<void> {
		return this.tracks.preferLayer(producerId, small);
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
		const got = await acquireScreen();
		if (!got) return;
		if ('problem' in got) {
			this.problem = got.problem;
			return;
		}
		const track = got.track;
		track.addEventListener('ended', () => void this.setScreen(false));
		this.localScreen = track;
		this.screenOn = true;
		if (this.status === 'live') await this.serial(() => this.publish('screen', track, false));
	}

	/** Per-person connection figures, every few seconds. */
	private async measure(): Promise<void> {
		const next = await this.stats.measure(this.tracks.list, this.tracks.consumers, this.sendTransport, this.userId);
		if (next) this.quality = next;
	}

	/** Received audio per person, for tests and the benchmark (window.confidanteRoom). */
	inboundAudio(): Promise<Record<string, { bytes: number; energy: number }>> {
		return inboundAudio(this.tracks.list, this.tracks.consumers);
	}

	private closeTransports(): void {
		this.sendTransport?.close();
		this.recvTransport?.close();
		this.sendTransport = null;
		this.recvTransport = null;
		this.producers = {};
		this.tracks.clear();
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
