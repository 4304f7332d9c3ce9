/**
 * This person's own devices in the call: the microphone, the camera and the
 * screen, turned on and off, started again after they stopped, and watched
 * for stopping by themselves. The call (LiveMedia) owns the producers and
 * the one-at-a-time set-up steps; the controls reach them through a
 * `LocalHost`, and LiveMedia shows their state as its own.
 */
import type { types } from 'mediasoup-client';
import type { MediaSource } from '$shared/protocol/index.ts';
import type { log as rootLog } from '$lib/log.ts';
import { acquireOne, acquireScreen, type DeviceKind } from './devices.ts';
import { controlProblem, deviceStopped, type MediaProblem } from './problems.ts';
import type { Request } from './transports.ts';

/** What the controls need of the call they belong to. */
export interface LocalHost {
	readonly sessionId: string;
	readonly log: typeof rootLog;
	readonly request: Request;
	/** The call's producers as they are now (a new set after the transports closed). */
	producers(): Partial<Record<MediaSource, types.Producer>>;
	/** The problem the room shows, and showing another (null: none). */
	problem(): MediaProblem | null;
	show(problem: MediaProblem | null): void;
	/** The person is in the call, not on the pre-join screen or gone. */
	wanted(): boolean;
	live(): boolean;
	/** Publishes a track as one of the call's set-up steps. */
	publish(source: MediaSource, track: MediaStreamTrack): Promise<unknown>;
}

/** The tracks from the pre-join screen. */
export interface JoinTracks {
	mic: MediaStreamTrack | null;
	camera: MediaStreamTrack | null;
	micOn: boolean;
	cameraOn: boolean;
	cameraId?: string;
}

export class LocalControls {
	micOn = $state(false);
	cameraOn = $state(false);
	screenOn = $state(false);
	localCamera = $state.raw<MediaStreamTrack | null>(null);
	localScreen = $state.raw<MediaStreamTrack | null>(null);
	hasMic = $state(false);
	micTrack = $state.raw<MediaStreamTrack | null>(null);
	private cameraId: string | undefined;
	private readonly host: LocalHost;

	constructor(host: LocalHost) {
		this.host = host;
	}

	/** Takes over the tracks from the pre-join screen; a camera chosen off is released. */
	adopt(tracks: JoinTracks): void {
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
	}

	/** Stops every device: the person left. */
	release(): void {
		this.micTrack?.stop();
		this.localCamera?.stop();
		this.localScreen?.stop();
		this.micTrack = null;
		this.localCamera = null;
		this.localScreen = null;
		this.cameraOn = this.micOn = this.screenOn = false;
	}

	async setMic(on: boolean): Promise<void> {
		// A microphone that stopped by itself cannot be resumed: it has to be started again.
		if (on && this.micTrack?.readyState === 'ended') return this.restartMic(this.micTrack.getSettings().deviceId);
		const producer = this.host.producers().mic;
		this.micOn = on && this.hasMic;
		if (!producer) return;
		if (on) producer.resume();
		else producer.pause();
		await this.host.request(on ? 'media:resumeProducer' : 'media:pauseProducer', { sessionId: this.host.sessionId, producerId: producer.id }).catch(this.controlFailed(on ? 'Unmuting' : 'Muting'));
	}

	/** Camera off also releases the camera, so its light goes out. `deviceId` picks another camera. */
	async setCamera(on: boolean, deviceId?: string): Promise<void> {
		if (!on) {
			this.cameraOn = false;
			const producer = this.host.producers().camera;
			if (producer) {
				producer.pause();
				await this.host.request('media:pauseProducer', { sessionId: this.host.sessionId, producerId: producer.id }).catch(this.controlFailed('Turning your camera off'));
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
		await this.sendInstead('camera', got, 'Turning your camera on');
	}

	/** The microphone again after it stopped (or another one): replaces the track the others hear. */
	async restartMic(deviceId?: string): Promise<void> {
		const got = await this.acquireAgain('mic', deviceId);
		if (!got) return;
		this.micTrack?.stop();
		this.micTrack = got;
		this.hasMic = true;
		this.micOn = true;
		await this.sendInstead('mic', got, 'Unmuting');
	}

	/** A new track for a device that is on: into its producer if there is one, or published once the call is live. */
	private async sendInstead(source: DeviceKind, track: MediaStreamTrack, what: string): Promise<void> {
		const producer = this.host.producers()[source];
		if (producer && !producer.closed) {
			await producer.replaceTrack({ track });
			producer.resume();
			await this.host.request('media:resumeProducer', { sessionId: this.host.sessionId, producerId: producer.id }).catch(this.controlFailed(what));
		} else if (this.host.live()) {
			await this.host.publish(source, track);
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
			this.host.log.warn({ device: kind, problem: got.kind }, 'device could not be started');
			this.host.show({ kind: got.kind, device: kind, words: got.problem });
			return null;
		}
		if (this.host.problem()?.device === kind) this.host.show(null);
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
			if (!this.host.wanted() || (kind === 'camera' ? this.localCamera : this.micTrack) !== track) return;
			this.host.log.warn({ device: kind, label: track.label }, 'device stopped');
			this.host.show(deviceStopped(kind));
			if (kind === 'camera') void this.setCamera(false);
			else void this.setMic(false);
		});
	}

	/** A control's request failed: the person learns that the others may not see the change. */
	private controlFailed(what: string): (err: unknown) => void {
		return (err) => {
			this.host.log.warn({ err, code: (err as { code?: string })?.code, what }, 'call control did not reach the server');
			const problem = controlProblem(what, err);
			if (problem) this.host.show(problem);
		};
	}

	async setScreen(on: boolean): Promise<void> {
		if (!on) {
			this.screenOn = false;
			const producers = this.host.producers();
			const producer = producers.screen;
			delete producers.screen;
			if (producer) {
				producer.close();
				await this.host.request('media:closeProducer', { sessionId: this.host.sessionId, producerId: producer.id }).catch(this.controlFailed('Stopping your screen share'));
			}
			this.localScreen?.stop();
			this.localScreen = null;
			return;
		}
		const got = await acquireScreen();
		if (!got) return;
		if ('problem' in got) {
			this.host.log.warn({ device: 'screen' }, 'screen could not be shared');
			this.host.show({ kind: 'device-busy', words: got.problem });
			return;
		}
		const track = got.track;
		track.addEventListener('ended', () => void this.setScreen(false));
		this.localScreen = track;
		this.screenOn = true;
		if (this.host.live()) await this.host.publish('screen', track);
	}
}
