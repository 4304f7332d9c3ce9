/**
 * What can go wrong with the call, as values: a kind for the code (which
 * button to offer, whether to retry) and words for the person. The room
 * shows them above the tiles; none end up only in the console.
 */
import type { ErrorCode } from '$shared/result.ts';
import type { DeviceFailure, DeviceKind } from './devices.ts';

export type MediaProblemKind =
	| 'camera-stopped'
	| 'microphone-stopped'
	| DeviceFailure
	| 'reconnecting'
	| 'server-refused'
	| 'unavailable';

export interface MediaProblem {
	kind: MediaProblemKind;
	words: string;
	/** The device concerned, for the device kinds. */
	device?: DeviceKind;
}

/** A device that was working ended by itself (unplugged, permission revoked, taken by the system). */
export function deviceStopped(device: DeviceKind): MediaProblem {
	return device === 'camera'
		? { kind: 'camera-stopped', device, words: 'Your camera stopped. Turn it back on or pick another one.' }
		: { kind: 'microphone-stopped', device, words: 'Your microphone stopped. Turn it back on or pick another one.' };
}

/** Server answers that another try may fix; anything else is a refusal to explain, not retry. */
const PASSING: ReadonlySet<ErrorCode | undefined> = new Set<ErrorCode | undefined>(['unavailable', 'internal', 'rate_limited', undefined]);

/** The server's sentence in a request error ("media:produce: <sentence>"), if it answered. */
function serverWords(err: unknown): string | null {
	const code = (err as { code?: string })?.code;
	const message = (err as { message?: string })?.message;
	if (!code || typeof message !== 'string') return null;
	const at = message.indexOf(': ');
	return at >= 0 ? message.slice(at + 2) : message;
}

/** A failed set-up step or request: the server's code if it answered, none for browser-side (WebRTC) failures. */
export function setUpProblem(err: unknown): MediaProblem {
	const code = (err as { code?: ErrorCode })?.code;
	if (PASSING.has(code)) return { kind: 'reconnecting', words: 'Video could not connect; retrying…' };
	return { kind: 'server-refused', words: serverWords(err) ?? 'The server refused the video connection.' };
}

export const gaveUp: MediaProblem = {
	kind: 'unavailable',
	words: 'Video could not connect for a while. Check your connection, then try again.'
};

/** A control (mute, camera, screen) whose change may not have reached the others. */
export function controlProblem(what: string, err: unknown): MediaProblem | null {
	const code = (err as { code?: ErrorCode })?.code;
	// No answer because the socket is down: the room already says "reconnecting".
	if (code === 'unavailable') return null;
	const message = serverWords(err);
	return { kind: 'server-refused', words: `${what} did not reach the others${message ? `: ${message}` : '.'}` };
}
