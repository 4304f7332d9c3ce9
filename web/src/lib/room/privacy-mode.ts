/**
 * Which privacy a call has, in the words of its badge (CallPrivacy.svelte):
 * the path comes from the peer-to-peer part ('direct' between two
 * browsers), the encryption from the server's word on who is in the call.
 */
export type CallPath = 'direct' | 'sfu';
export type PrivacyMode = 'direct' | 'e2ee' | 'server';

/** Direct media is end-to-end encrypted by WebRTC itself; through the SFU it is when every frame is encrypted in the browsers. */
export function privacyMode(path: CallPath, encrypted: boolean): PrivacyMode {
	if (path === 'direct') return 'direct';
	return encrypted ? 'e2ee' : 'server';
}

export const privacyWords: Record<PrivacyMode, { label: string; meaning: string }> = {
	direct: {
		label: 'Direct, end-to-end encrypted',
		meaning: 'Your video and sound go straight between your two browsers, encrypted; our server does not carry them.'
	},
	e2ee: {
		label: 'End-to-end encrypted',
		meaning: 'Our server passes the video and sound on but cannot see or hear them: only the people in this call hold the keys.'
	},
	server: {
		label: 'Encrypted to the server',
		meaning: 'Video and sound are encrypted on the way, but our server decrypts them to pass them on, because someone here uses a browser that cannot encrypt end to end.'
	}
};
