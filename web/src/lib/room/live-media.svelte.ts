/**
 * The browser side of the live room: a mediasoup Device, a send and a
 * receive transport, this person's microphone, camera and screen, and the
 * tracks of everyone else. It sets itself up again whenever it has to:
 * - the session socket reconnected: the server may still hold this tab's
 *   transports (ICE restart, cheap) or not (server restarted: new ones);
 * - the server lost the media (a worker died): it says `renegotiate`;
 * - a transport failed while the socket stayed up: ICE restart.
 * All set-up steps run one at a time, so overlapping causes cannot interleave.
 * A call of two goes peer to peer instead (direct/path.svelte.ts decides
 * and moves between the paths); this tab then publishes nothing to the SFU.
 * A failed step is retried on the shared policy (retryKnobs.media); what went
 * wrong, including a camera or microphone that stopped, is a `MediaProblem`
 * the room shows in words.
 */
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import { backoff, retryKnobs } from '$shared/retry.ts';
import { log as rootLog } from '$lib/log.ts';
import { Retry } from '$lib/retry.ts';
import { gaveUp, setUpProblem, type MediaProblem } from './problems.ts';
import type { Quality } from './quality.ts';
import { CallStats, inboundAudio } from './call-stats.ts';
import { tabPeerId } from './choice.ts';
import { mark } from './marks.ts';
import { restartIce, TransportPair, type Request } from './transports.ts';
import { SfuPublisher } from './sfu-publisher.ts';
import { RemoteTracks, type RemoteTrack } from './remote-tracks.svelte.ts';
import { LocalControls, type JoinTracks } from './local-controls.svelte.ts';
import { listenToRoom } from './room-events.ts';
import { RouterDevice } from './router-device.ts';
import { CallEncryption, e2eeSupport } from './e2ee/call-encryption.ts';
import type { CallPrivacy } from '$shared/protocol/index.ts';
import { CallPath, type CallPathName } from './direct/path.svelte.ts';

export type { RemoteTrack } from './remote-tracks.svelte.ts';
export type { MediaProblem } from './problems.ts';

export type MediaStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'replaced' | 'unavailable';

const STATS_EVERY_MS = 2000;

export class LiveMedia {
	status = $state<MediaStatus>('idle');
	problem = $state<MediaProblem | null>(null);
	/** Who is past the pre-join screen (user ids); the others are only looking at their preview. */
	inCall = $state.raw<string[]>([]);
	/** Connection quality per user id (this person under their own id). */
	quality = $state<Record<string, Quality>>({});
	/** The call's encryption as the server last said (null before joining). */
	privacy = $state<CallPrivacy | null>(null);
	/** The coach requires end-to-end encryption (known once the router's capabilities came). */
	e2eeRequired = $state(false);
	/** End-to-end encryption of this tab's frames; null when the browser cannot transform encoded frames. */
	readonly encryption: CallEncryption | null;

	/** Everyone else's tracks, as this tab receives them (from the SFU or the direct connection). */
	get remote(): RemoteTrack[] {
		return this.direct.merge(this.tracks.list);
	}
	/** Which way the media goes now: browser to browser, or through the SFU. */
	get path(): CallPathName {
		return this.direct.path;
	}
	/** Why a call of two is not direct (the direct connection was not possible), in words. */
	get pathNotice(): string | null {
		return this.direct.notice;
	}

	// This person's devices, as the controls hold them.
	get micOn(): boolean {
		return this.local.micOn;
	}
	get cameraOn(): boolean {
		return this.local.cameraOn;
	}
	get screenOn(): boolean {
		return this.local.screenOn;
	}
	get hasMic(): boolean {
		return this.local.hasMic;
	}
	/** This person's tracks, for the self view. */
	get localCamera(): MediaStreamTrack | null {
		return this.local.localCamera;
	}
	get localScreen(): MediaStreamTrack | null {
		return this.local.localScreen;
	}
	/** The microphone's track; the end-to-end tests stop it through window.confidanteRoom. */
	get micTrack(): MediaStreamTrack | null {
		return this.local.micTrack;
	}

	private readonly connection: SessionConnection;
	private readonly sessionId: string;
	private readonly userId: string;
	private readonly peerId = tabPeerId();
	private readonly router = new RouterDevice();
	/** The send and receive transports at the SFU. */
	private readonly sfu: TransportPair;
	/** This tab's producers at the SFU. */
	private readonly publisher: SfuPublisher;
	private wanted = false;
	/** Transports were made on the pre-join screen and not used yet. */
	private prepared = false;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly stats = new CallStats();
	private statsTimer: ReturnType<typeof setInterval> | null = null;
	private unsubscribe: Array<() => void> = [];
	/** Everyone else's tracks. */
	private readonly tracks: RemoteTracks;
	/** This person's microphone, camera and screen. */
	private readonly local: LocalControls;
	/** Direct (peer to peer) or SFU, and the moves between them. */
	private readonly direct: CallPath;
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
		const support = e2eeSupport();
		this.encryption = support ? new CallEncryption(connection, userId, this.request, support) : null;
		this.tracks = new RemoteTracks({
			prepare: (consumer, from) => this.encryption?.attachReceiver(consumer.rtpReceiver as RTCRtpReceiver, consumer.kind, from),
			userId,
			sessionId: this.sessionId,
			request: this.request,
			largestLayer: () => Math.max(0, (this.router.caps?.cameraLayers.length ?? 1) - 1)
		});
		this.local = this.localControls();
		this.sfu = new TransportPair({
			sessionId: this.sessionId,
			router: this.router,
			request: this.request,
			insertableStreams: Boolean(this.encryption),
			// The socket may be fine while the media path broke (new network): restart ICE.
			recover: (transport) => {
				if (this.connection.socket.connected) void this.serial(() => restartIce(transport, this.request, this.sessionId));
			}
		});
		const { sessionId, log, request, router, local, encryption } = this;
		this.publisher = new SfuPublisher({ sessionId, log, request, router, local, encryption, transport: () => this.sfu.send, allowed: () => this.direct.sfuSending });
		this.direct = this.callPath();
		this.unsubscribe = listenToRoom(connection, {
			wanted: () => this.wanted,
			newProducer: (producer) => void this.serial(() => this.tracks.consume(this.sfu.recv, producer)),
			producerClosed: (producerId) => this.tracks.dropConsumerOf(producerId),
			producerPaused: (producerId, paused) => this.tracks.markPaused(producerId, paused),
			inCall: (userIds, privacy) => {
				this.inCall = userIds;
				this.setPrivacy(privacy);
				// Keys rotate on every change of who is in the call, on either path: a move to the SFU finds them ready.
				this.encryption?.inCall(userIds);
				this.direct.update(userIds);
			},
			direct: (from, signal) => this.direct.receive(from, signal),
			renegotiate: () => {
				// Transports made on the pre-join screen died with their worker: make new ones on Join.
				this.prepared = false;
				if (this.wanted) void this.serial(() => this.setUp());
			},
			replaced: () => {
				this.status = 'replaced';
				this.direct.close();
				this.closeTransports();
			},
			disconnected: () => {
				this.prepared = false;
				if (this.wanted && this.status === 'live') this.status = 'reconnecting';
			},
			joined: () => {
				if (this.wanted && this.status !== 'replaced') void this.serial(() => this.setUp()).then(() => this.direct.resumed());
			}
		});
	}

	/** Loads the router's capabilities while the person is still on the pre-join screen. */
	async prepare(): Promise<void> {
		await this.serial(async () => {
			await this.loadDevice();
			// Transports too: the click on Join then only publishes. Nobody sees
			// this tab in the room until it produces something.
			this.inCall = (await this.joinMedia(false)).inCall;
			this.closeTransports();
			await this.sfu.renew();
			this.prepared = true;
		});
		mark('prepared');
	}

	/** Enters the room with the tracks from the pre-join screen. */
	async join(tracks: JoinTracks): Promise<void> {
		this.local.adopt(tracks);
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
		this.e2eeRequired = caps.e2eeRequired;
		await this.router.load(caps);
	}

	/**
	 * Joins the call's media, saying what this browser receives in the
	 * protocol's terms (mediasoup-client's type is wider) and whether it
	 * encrypts; once in the call, its public key goes to the others.
	 */
	private async joinMedia(entering: boolean) {
		const receives = this.router.receives();
		// The public key goes with the join (made on the pre-join screen): the others can seal for us, and we for them, one round trip sooner.
		const publicKey = entering && this.encryption ? await this.encryption.publicKey() : undefined;
		const joined = await this.request('media:join', { sessionId: this.sessionId, peerId: this.peerId, rtpCapabilities: receives, entering, e2ee: Boolean(this.encryption), publicKey });
		if (entering) mark('join-ack');
		this.setPrivacy(joined.privacy);
		if (entering) this.encryption?.joined(joined.peerKeys);
		return joined;
	}

	private setPrivacy(privacy: CallPrivacy): void {
		this.privacy = privacy;
		this.encryption?.setEncrypted(privacy.encrypted);
	}

	/** Brings this tab's media in line with the server, reusing what survived. */
	private async setUp(): Promise<void> {
		if (!this.wanted) return;
		if (!this.connection.socket.connected) return;
		if (this.status !== 'live') this.status = this.status === 'idle' ? 'connecting' : this.status;
		if (this.prepared && this.sfu.send && !this.sfu.send.closed) {
			// Transports made on the pre-join screen over this same socket: publish at once,
			// and learn what the others publish meanwhile.
			this.prepared = false;
			mark('signalled');
			// Publish to the SFU or not, as far as this tab knows who is in the call; the answer below may change it.
			this.direct.expect(this.inCall);
			const [joined] = await Promise.all([this.joinMedia(true), this.publisher.publishAll().then(() => mark('published'))]);
			this.inCall = joined.inCall;
			this.direct.update(joined.inCall);
			await this.tracks.sync(this.sfu.recv, joined.producers);
			this.nowLive();
			return;
		}
		await this.loadDevice();
		const joined = await this.joinMedia(true);
		this.inCall = joined.inCall;
		this.direct.update(joined.inCall);
		if (joined.routerId !== this.router.routerId) {
			// The room moved between our two requests; go round again with the new router.
			await this.loadDevice();
			return this.setUp();
		}
		const kept = joined.kept;
		if (kept && this.sfu.keptBy(kept)) {
			await this.sfu.restartIce();
			this.publisher.keepOnly(kept.producerIds);
		} else {
			this.closeTransports();
			await this.sfu.renew();
			mark('signalled');
		}
		await this.publisher.publishAll();
		mark('published');
		await this.tracks.sync(this.sfu.recv, joined.producers);
		this.nowLive();
	}

	/** Connected again: connection problems are over; a stopped device still waits for the person. */
	private nowLive(): void {
		this.status = 'live';
		this.setUpRetry.succeeded();
		if (this.problem && !this.problem.device) this.problem = null;
	}

	/** A tile scrolled out of view (or back): stop or restart its video at the server. */
	setVisible(producerId: string, visible: boolean): Promise<void> {
		return this.tracks.setVisible(producerId, visible);
	}

	/** A small tile (grid, strip) needs the small layer; a large one the full picture. */
	preferLayer(producerId: string, small: boolean): Promise<void> {
		return this.tracks.preferLayer(producerId, small);
	}

	setMic(on: boolean): Promise<void> {
		return this.local.setMic(on);
	}

	/** Camera off also releases the camera, so its light goes out. `deviceId` picks another camera. */
	setCamera(on: boolean, deviceId?: string): Promise<void> {
		return this.local.setCamera(on, deviceId);
	}

	/** The microphone again after it stopped (or another one): replaces the track the others hear. */
	restartMic(deviceId?: string): Promise<void> {
		return this.local.restartMic(deviceId);
	}

	setScreen(on: boolean): Promise<void> {
		return this.local.setScreen(on);
	}

	/** The controls' view of this call: its producers, its problem and its set-up steps. */
	private localControls(): LocalControls {
		return new LocalControls({
			sessionId: this.sessionId,
			log: this.log,
			request: this.request,
			producers: () => this.publisher.producers,
			problem: () => this.problem,
			show: (problem) => (this.problem = problem),
			wanted: () => this.wanted,
			live: () => this.status === 'live',
			publish: (source, track) => this.serial(() => this.publisher.publish(source, track, false))
		});
	}

	/** The path's view of this call: who is in it, its tracks and its SFU producers. */
	private callPath(): CallPath {
		return new CallPath({
			userId: this.userId,
			sessionId: this.sessionId,
			log: this.log,
			request: this.request,
			router: this.router,
			tracks: this.tracks,
			wanted: () => this.wanted && this.status !== 'replaced',
			local: this.local,
			sendToSfu: async (on) => {
				if (on) await this.serial(() => this.publisher.publishAll());
				else await this.publisher.unpublishAll();
			},
			// The direct connection, while it carries the call, went down or came back.
			connection: (up) => {
				if (!up && this.status === 'live') this.status = 'reconnecting';
				else if (up && this.status === 'reconnecting' && this.connection.socket.connected) this.status = 'live';
			}
		});
	}

	/** Per-person connection figures, every few seconds, from whichever path is live. */
	private async measure(): Promise<void> {
		const next = await this.stats.measure({ direct: this.direct.live, remote: this.tracks.list, consumers: this.tracks.consumers, send: this.sfu.send, selfId: this.userId });
		if (next) this.quality = next;
	}

	/** Received audio per person, for tests and the benchmark (window.confidanteRoom). */
	inboundAudio(): Promise<Record<string, { bytes: number; energy: number }>> {
		return inboundAudio(this.remote, this.tracks.consumers, this.direct.live);
	}

	/** The candidate pair of the direct connection (tests check it joins the two browsers). */
	directPair() {
		return this.direct.pair();
	}

	private closeTransports(): void {
		this.sfu.close();
		this.publisher.forget();
		this.tracks.clear();
		this.stats.reset();
	}

	/** Leaves the room: tells the server, stops the devices. */
	leave(): void {
		if (this.wanted && this.connection.socket.connected) this.connection.socket.emit('media:leave', { sessionId: this.sessionId }, () => undefined);
		this.wanted = false;
		this.status = 'idle';
		this.direct.close();
		this.closeTransports();
		this.local.release();
	}

	destroy(): void {
		this.leave();
		if (this.statsTimer) clearInterval(this.statsTimer);
		this.setUpRetry.destroy();
		this.encryption?.destroy();
		this.direct.destroy();
		for (const off of this.unsubscribe) off();
		this.unsubscribe = [];
	}
}
