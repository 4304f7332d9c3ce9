/**
 * What a person chose on the pre-join screen, kept for this tab only
 * (sessionStorage): a reload rejoins the room straight away with the same
 * devices, without the pre-join screen. Leaving forgets it.
 */

export interface RoomChoice {
	micOn: boolean;
	cameraOn: boolean;
	micId?: string;
	cameraId?: string;
}

/** What the pre-join screen hands to the room: the choice and the tracks it already opened. */
export interface JoinWith extends RoomChoice {
	mic: MediaStreamTrack | null;
	camera: MediaStreamTrack | null;
}

const key = (sessionId: string) => `confidante.room.${sessionId}`;

export function rememberedChoice(sessionId: string): RoomChoice | null {
	try {
		const raw = sessionStorage.getItem(key(sessionId));
		if (!raw) return null;
		const v = JSON.parse(raw) as Partial<RoomChoice>;
		return { micOn: v.micOn === true, cameraOn: v.cameraOn === true, micId: v.micId || undefined, cameraId: v.cameraId || undefined };
	} catch {
		return null;
	}
}

export function rememberChoice(sessionId: string, choice: RoomChoice): void {
	try {
		sessionStorage.setItem(key(sessionId), JSON.stringify(choice));
	} catch {
		// Storage may be disabled (private mode); a reload then shows the pre-join screen again.
	}
}

export function forgetChoice(sessionId: string): void {
	try {
		sessionStorage.removeItem(key(sessionId));
	} catch {
		// Nothing remembered to forget.
	}
}

/**
 * This tab's id in the room. It survives a reload (same tab) so the server
 * can tell "this tab came back" from "the same person opened a second tab".
 */
export function tabPeerId(): string {
	const k = 'confidante.peer';
	try {
		const existing = sessionStorage.getItem(k);
		if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
		const id = randomId();
		sessionStorage.setItem(k, id);
		return id;
	} catch {
		return randomId();
	}
}

// getRandomValues works on plain-http pages too, unlike randomUUID.
const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
