/**
 * A person's colour on the pad (caret, name chip), stable per user id.
 * Dark enough for white text on it (WCAG AA at the chip's size).
 */
const PALETTE = ['#2f6f62', '#8a3ffc', '#b3261e', '#1a5fb4', '#a05a00', '#00707a', '#9c2780', '#4a6b00'];

export function colourFor(userId: string): string {
	let h = 0;
	for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
	return PALETTE[h % PALETTE.length]!;
}
