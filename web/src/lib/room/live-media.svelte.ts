/**
 * The browser side of the live room: a mediasoup Device, a send and a
 * receive transport, this person's microphone, camera and screen, and the
 * tracks of everyone else. It sets itself up again whenever it has to:
 * - the session socket reconnected: the server may still hold this tab's
 *   transports (ICE restart, cheap) or not (server restarted: new ones);
 * - the server lost the media (a worker died): it says `renegotiate`;
 * - a transport failed while the socket stayed up: ICE restart.
 * All set-up steps run one at a time, so overlapping causes cannot interleave.
 * A failed step is retried on the shared policy (retryKnobs.media); what went
 * wrong, including a camera or microphone that stopped, is a `MediaProblem`
 * the room shows in words.
 */
import type { Device, types } from 'mediasoup-client';
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import type { MediaCapabilities, MediaSource, MediaTransports } from '$shared/protocol/index.ts';
import { rtpCapabilities } from '$shared/protocol/media.ts';
import { backoff, retryKnobs } from '$shared/retry.ts';
import { log as rootLog } from '$lib/log.ts';
import { Retry } from '$lib/retry.ts';
import { acquireOne, acquireScreen, type DeviceKind } from './devices.ts';
import { controlProblem, deviceStopped, gaveUp, setUpProblem, type MediaProblem } from './problems.ts';
import type { Quality } from './quality.ts';
import { CallStats, inboundAudio } from './call-stats.ts';
import { tabPeerId } from './choice.ts';
import { mark } from './marks.ts';
import { createTransport, encodingsFor, restartIce, type Request } from './transports.ts';
import { RemoteTracks, type RemoteTrack } from './remote-tracks.svelte.ts';

export type { RemoteTrack } from './remote-tracks.svelte.ts';
export type { MediaProblem } from './problems.ts';

export type MediaStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'replaced' | 'unavailable';

const STATS_EVERY_MS = 2000;

export class LiveMedia {
	status = $state<MediaStatus>('idle');
	problem = $state<MediaProblem | null>(null);
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
	private readonly log: typeof rootLog;
	/** Sets the call up again after a failed step, on the shared policy. */
	private readonly setUpRetry = new Retry({
		policy: backoff(retryKnobs.media),
		attempt: () => {
			if (this.connection.socket.connected && this.wanted && this.status !== 'replaced') void this.serial(() => this.setUp());
		},
		gaveUp: () => {
			this.log.warn({ status: this.status }, 'video set-up retries gave up');
			this.problem = gaveUp;
		}
	});

	constructor(connection: SessionConnection, userId: string) {
		this.connection = connection;
		this.sessionId = connection.sessionId;
		this.userId = userId;
		this.log = rootLog.child({ area: 'room', sessionId: this.sessionId, peerId: this.peerId });
		this.tracks = new RemoteTracks({
			userId,
			sessionId: this.sessionId,
			request: this.request,
			largestLayer: () => Math.max(0, (this.caps?.cameraLayers.length ?? 1) - 1)
		});
		const mine = (m: { sessionId: string }) => m.sessionId === this.sessionId && this.wanted;
		this.unsubscribe.push(
			connection.listen('media:newProducer', (m) => {
				if (!mine(m)) return;
				mark('new-producer', { kind: m.producer.kind });
				void this.serial(() => this.tracks.consume(this.recvTransport, m.producer));
			}),
			connection.listen('media:producerClosed', (m) => mine(m) && this.tracks.dropConsumerOf(m.producerId)),
			connection.listen('media:inCall', (m) => mine(m) && (this.inCall = m.userIds)),
			connection.listen('media:producerPaused', (m) => mine(m) && this.tracks.markPaused(m.producerId, true)),
			connection.listen('media:producerResumed', (m) => mine(m) && this.tracks.markPaused(m.producerId, false)),
			connection.listen('media:renegotiate', (m) => {
				if (m.sessionId !== this.sessionId) return;
				// Transports made on the pre-join screen died with their worker: make new ones on Join.
				this.prepared = false;
				if (this.wanted) void this.serial(() => this.setUp());
			}),
			connection.listen('media:replaced', (m) => {
				if (!mine(m)) return;
				this.status = 'replaced';
				this.closeTransports();
			})
		);
		const onDisconnect = () => {
			this.prepared = false;
			if (this.wanted && this.status === 'live') this.status = 'reconnecting';
		};
		connection.socket.on('disconnect', onDisconnect);
		this.unsubscribe.push(() => void connection.socket.off('disconnect', onDisconnect));
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
			await this.request('media:join', { sessionId: this.sessionId, peerId: this.peerId, rtpCapabilities: this.rtpCapabilities(), entering: false });
			await this.newTransports();
			this.prepared = true;
		});
		mark('prepared');
	}

	/** Enters the room with the tracks from the pre-join screen. */
	async join(tracks: { mic: MediaStreamTrack | null; camera: MediaStreamTrack | null; micOn: boolean; cameraOn: boolean; cameraId?: string }): Promise<void> {
		this.micTrack = tracks.mic;
		if (tracks.mic) this.watchEnded('mic', tracks.mic);
		this.hasMic = Boolean(tracks.mic);
		this.micOn = Boolean(tracks.mic) && tracks.micOn;
		this.cameraId = tracks.cameraId;
		if (tracks.camera && tracks.cameraOn) {
			this.localCamera = tracks.camera;
			this.watchEnded('camera', tracks.camera);
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

	/** The "Try again" of a problem: a set-up now, whether retries were waiting, gave up or never started. */
	async retryNow(): Promise<void> {
		if (this.setUpRetry.state !== 'idle') this.setUpRetry.now();
		else await this.serial(() => this.setUp());
	}

	/** Takes this tab back after another tab of the same person took over. */
	async reclaim(): Promise<void> {
		this.status = 'connecting';
		await this.serial(() => this.setUp());
	}

	private serial<T>(fn: () => Promise<T>): Promise<T | undefined> {
		const run = this.queue.then(fn).catch((err: unknown) => {
			const problem = setUpProblem(err);
			this.log.warn({ err, code: (err as { code?: string })?.code, status: this.status, problem: problem.kind }, 'video set-up step failed');
			if (this.wanted && this.status !== 'replaced') {
				this.problem = problem;
				// A refusal is explained with a "Try again" button, not retried.
				if (problem.kind === 'reconnecting') this.setUpRetry.failed();
			}
			return undefined;
		});
		this.queue = run;
		return run;
	}

	// An arrow, so the transports and the received tracks can call it as it is.
	private readonly request: Request = async (name, payload) => {
		const r = await this.connection.request(name, payload);
		if (!r.ok) {
			if (r.error.code === 'unavailable' && name === 'media:capabilities') this.status = 'unavailable';
			throw Object.assign(new Error(`${name}: ${r.error.message}`), { code: r.error.code });
		}
		return r.value;
	};

	private async loadDevice(): Promise<void> {
		const caps = await this.request('media:capabilities', { sessionId: this.sessionId });
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
	private rtpCapabilities() {
		return rtpCapabilities.parse(this.device?.rtpCapabilities);
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
				this.request('media:join', { sessionId: this.sessionId, peerId: this.peerId, rtpCapabilities: this.rtpCapabilities(), entering: true }),
				this.publishAll().then(() => mark('published'))
			]);
			this.inCall = joined.inCall;
			await this.tracks.sync(this.recvTransport, joined.producers);
			this.nowLive();
			return;
		}
		await this.loadDevice();
		const joined = await this.request('media:join', { sessionId: this.sessionId, peerId: this.peerId, rtpCapabilities: this.rtpCapabilities(), entering: true });
		this.inCall = joined.inCall;
		if (joined.routerId !== this.routerId) {
			// The room moved between our two requests; go round again with the new router.
			await this.loadDevice();
			return this.setUp();
		}
		const kept = joined.kept;
		if (kept && this.sendTransport?.id === kept.sendTransportId && this.recvTransport?.id === kept.recvTransportId && !this.sendTransport.closed) {
			await Promise.all([restartIce(this.sendTransport, this.request, this.sessionId), restartIce(this.recvTransport, this.request, this.sessionId)]);
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
		this.nowLive();
	}

	/** Connected again: connection problems are over; a stopped device still waits for the person. */
	private nowLive(): void {
		this.status = 'live';
		this.setUpRetry.succeeded();
		if (this.problem && !this.problem.device) this.problem = null;
	}

	private async newTransports(): Promise<void> {
		this.closeTransports();
		const t = await this.request('media:createTransports', { sessionId: this.sessionId });
		this.sendTransport = this.makeTransport('send', t.send);
		this.recvTransport = this.makeTransport('recv', t.recv);
	}

	private makeTransport(direction: 'send' | 'recv', options: MediaTransports['send']): types.Transport {
		return createTransport(this.device!, direction, options, {
			sessionId: this.sessionId,
			iceServers: this.caps?.iceServers,
			request: this.request,
			// The socket may be fine while the media path broke (new network): restart ICE.
			recover: (transport) => {
				if (this.connection.socket.connected) void this.serial(() => restartIce(transport, this.request, this.sessionId));
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
		// A microphone that stopped by itself cannot be resumed: it has to be started again.
		if (on && this.micTrack?.readyState === 'ended') return this.restartMic(this.micTrack.getSettings().deviceId);
		const producer = this.producers.mic;
		this.micOn = on && this.hasMic;
		if (!producer) return;
		if (on) producer.resume();
		else producer.pause();
		await this.request(on ? 'media:resumeProducer' : 'media:pauseProducer', { sessionId: this.sessionId, producerId: producer.id }).catch(this.controlFailed(on ? 'Unmuting' : 'Muting'));
	}

	/** Camera off also releases the camera, so its light goes out. `deviceId` picks another camera. */
	async setCamera(on: boolean, deviceId?: string): Promise<void> {
		if (!on) {
			this.cameraOn = false;
			const producer = this.producers.camera;
			if (producer) {
				producer.pause();
				await this.request('media:pauseProducer', { sessionId: this.sessionId, producerId: producer.id }).catch(this.controlFailed('Turning your camera off'));
			}
			this.localCamera?.stop();
			this.localCamera = null;
			return;
		}
		const got = await this.acquireAgain('camera', deviceId ?? this.cameraId);
		if (!got) return;
		this.localCamera = got;
		this.cameraOn = true;
		this.cameraId = got.getSettings().deviceId ?? this.cameraId;
		const producer = this.producers.camera;
		if (producer && !producer.closed) {
			await producer.replaceTrack({ track: got });
			producer.resume();
			await this.request('media:resumeProducer', { sessionId: this.sessionId, producerId: producer.id }).catch(this.controlFailed('Turning your camera on'));
		} else if (this.status === 'live') {
			await this.serial(() => this.publish('camera', got, false));
		}
	}

	/** The microphone again after it stopped (or another one): replaces the track the others hear. */
	async restartMic(deviceId?: string): Promise<void> {
		const got = await this.acquireAgain('mic', deviceId);
		if (!got) return;
		this.micTrack?.stop();
		this.micTrack = got;
		this.hasMic = true;
		this.micOn = true;
		const producer = this.producers.mic;
		if (producer && !producer.closed) {
			await producer.replaceTrack({ track: got });
			producer.resume();
			await this.request('media:resumeProducer', { sessionId: this.sessionId, producerId: producer.id }).catch(this.controlFailed('Unmuting'));
		} else if (this.status === 'live') {
			await this.serial(() => this.publish('mic', got, false));
		}
	}

	/**
	 * Asks for a device and watches it end. The one that stopped may be gone
	 * (unplugged): then any other of its kind will do. A failure becomes the
	 * problem shown, and null.
	 */
	private async acquireAgain(kind: DeviceKind, deviceId: string | undefined): Promise<MediaStreamTrack | null> {
		let got = await acquireOne(kind, deviceId);
		if ('problem' in got && got.kind === 'device-missing' && deviceId) got = await acquireOne(kind);
		if ('problem' in got) {
			this.log.warn({ device: kind, problem: got.kind }, 'device could not be started');
			this.problem = { kind: got.kind, device: kind, words: got.problem };
			return null;
		}
		if (this.problem?.device === kind) this.problem = null;
		this.watchEnded(kind, got.track);
		return got.track;
	}

	/**
	 * A device that ends without the person asking (unplugged, permission
	 * revoked, taken by the system) leaves a frozen picture or silence; say
	 * so, and show the others it is off.
	 */
	private watchEnded(kind: DeviceKind, track: MediaStreamTrack): void {
		track.addEventListener('ended', () => {
			if (!this.wanted || (kind === 'camera' ? this.localCamera : this.micTrack) !== track) return;
			this.log.warn({ device: kind, label: track.label }, 'device stopped');
			this.problem = deviceStopped(kind);
			if (kind === 'camera') void this.setCamera(false);
			else void this.setMic(false);
		});
	}

	/** A control's request failed: the person learns that the others may not see the change. */
	private controlFailed(what: string): (err: unknown) => void {
		return (err) => {
			this.log.warn({ err, code: (err as { code?: string })?.code, what }, 'call control did not reach the server');
			const problem = controlProblem(what, err);
			if (problem) this.problem = problem;
		};
	}

	async setScreen(on: boolean): Promise<void> {
		if (!on) {
			this.screenOn = false;
			const producer = this.producers.screen;
			delete this.producers.screen;
			if (producer) {
				producer.close();
				await this.request('media:closeProducer', { sessionId: this.sessionId, producerId: producer.id }).catch(this.controlFailed('Stopping your screen share'));
			}
			this.localScreen?.stop();
			this.localScreen = null;
			return;
		}
		const got = await acquireScreen();
		if (!got) return;
		if ('problem' in got) {
			this.log.warn({ device: 'screen' }, 'screen could not be shared');
			this.problem = { kind: 'device-busy', words: got.problem };
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
		if (this.wanted && this.connection.socket.connected) this.connection.socket.emit('media:leave', { sessionId: this.sessionId }, () => undefined);
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
		this.setUpRetry.destroy();
		for (const off of this.unsubscribe) off();
		this.unsubscribe = [];
	}
}
