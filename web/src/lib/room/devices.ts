/**
 * Camera and microphone: asking for them, and saying in plain words what
 * went wrong (blocked, missing, busy) so a person can fix it or join with
 * what they have.
 */

export type DeviceKind = 'mic' | 'camera';

/** 640x480 is sharp enough for a face in a coaching call and light on phones and laptops. */
const CAMERA: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };
const MIC: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export interface Acquired {
	mic: MediaStreamTrack | null;
	camera: MediaStreamTrack | null;
	/** A sentence per device that could not be had. */
	problems: Partial<Record<DeviceKind, string>>;
}

export function constraintsFor(kind: DeviceKind, deviceId?: string): MediaTrackConstraints {
	const base = kind === 'mic' ? MIC : CAMERA;
	return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

export type DeviceFailure = 'device-denied' | 'device-missing' | 'device-busy';

/** A getUserMedia failure by its DOMException name, as `explain` words it. */
export function deviceFailureOf(err: unknown): DeviceFailure {
	const name = (err as { name?: string })?.name;
	if (name === 'NotAllowedError' || name === 'SecurityError') return 'device-denied';
	if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'device-missing';
	return 'device-busy';
}

/** Explains a getUserMedia failure for one device. */
export function explain(kind: DeviceKind, err: unknown): string {
	const what = kind === 'mic' ? 'microphone' : 'camera';
	const name = (err as { name?: string })?.name;
	switch (name) {
		case 'NotAllowedError':
		case 'SecurityError':
			return `Your ${what} is blocked for this site. Allow it in the browser's site settings (the icon next to the address), or join without it.`;
		case 'NotFoundError':
		case 'OverconstrainedError':
			return `No ${what} was found. You can join without it${kind === 'camera' ? ' and still be heard' : ''}.`;
		case 'NotReadableError':
		case 'AbortError':
			return `Your ${what} is busy or not responding (another app may be using it). Close that app and try again, or join without it.`;
		default:
			return `Your ${what} could not be started. You can join without it.`;
	}
}

async function one(kind: DeviceKind, deviceId?: string): Promise<MediaStreamTrack> {
	const stream = await navigator.mediaDevices.getUserMedia(kind === 'mic' ? { audio: constraintsFor(kind, deviceId) } : { video: constraintsFor(kind, deviceId) });
	const track = stream.getTracks()[0];
	if (!track) throw Object.assign(new Error('no track'), { name: 'NotFoundError' });
	return track;
}

/**
 * Asks for both devices in one prompt; if that fails, asks for each alone so
 * that a missing camera does not cost the microphone.
 */
export async function acquire(want: { mic: boolean; camera: boolean; micId?: string; cameraId?: string }): Promise<Acquired> {
	const out: Acquired = { mic: null, camera: null, problems: {} };
	if (!navigator.mediaDevices?.getUserMedia) {
		const msg = 'This browser cannot use a camera or microphone here (the page must be opened over https). You can still join and see the others.';
		if (want.mic) out.problems.mic = msg;
		if (want.camera) out.problems.camera = msg;
		return out;
	}
	if (want.mic && want.camera) {
		try {
			const stream = await navigator.mediaDevices.getUserMedia({ audio: constraintsFor('mic', want.micId), video: constraintsFor('camera', want.cameraId) });
			out.mic = stream.getAudioTracks()[0] ?? null;
			out.camera = stream.getVideoTracks()[0] ?? null;
			return out;
		} catch {
			// Fall through to asking for each one, to learn which failed and keep the other.
		}
	}
	const [mic, camera] = await Promise.allSettled([want.mic ? one('mic', want.micId) : Promise.resolve(null), want.camera ? one('camera', want.cameraId) : Promise.resolve(null)]);
	if (mic.status === 'fulfilled') out.mic = mic.value;
	else out.problems.mic = explain('mic', mic.reason);
	if (camera.status === 'fulfilled') out.camera = camera.value;
	else out.problems.camera = explain('camera', camera.reason);
	return out;
}

/** One device, e.g. when the camera is turned back on; a failure says what kind of failure it was. */
export async function acquireOne(kind: DeviceKind, deviceId?: string): Promise<{ track: MediaStreamTrack } | { problem: string; kind: DeviceFailure }> {
	try {
		return { track: await one(kind, deviceId) };
	} catch (err) {
		return { problem: explain(kind, err), kind: deviceFailureOf(err) };
	}
}

export interface DeviceChoice {
	id: string;
	label: string;
}

/** Inputs by kind; labels are only known after permission was given once. */
export async function listDevices(): Promise<Record<DeviceKind, DeviceChoice[]>> {
	const out: Record<DeviceKind, DeviceChoice[]> = { mic: [], camera: [] };
	if (!navigator.mediaDevices?.enumerateDevices) return out;
	const all = await navigator.mediaDevices.enumerateDevices();
	for (const d of all) {
		const kind = d.kind === 'audioinput' ? 'mic' : d.kind === 'videoinput' ? 'camera' : null;
		if (!kind || !d.deviceId) continue;
		out[kind].push({ id: d.deviceId, label: d.label || `${kind === 'mic' ? 'Microphone' : 'Camera'} ${out[kind].length + 1}` });
	}
	return out;
}

/**
 * A screen, window or tab to share, picked in the browser's own dialog.
 * Null when the person cancelled the picker: a choice, not a problem.
 */
export async function acquireScreen(): Promise<{ track: MediaStreamTrack } | { problem: string } | null> {
	try {
		const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
		const track = stream.getVideoTracks()[0];
		if (!track) return null;
		// Text and slides stay sharp rather than smooth.
		track.contentHint = 'detail';
		return { track };
	} catch (err) {
		if ((err as { name?: string }).name === 'NotAllowedError') return null;
		return { problem: 'Your screen could not be shared in this browser.' };
	}
}
