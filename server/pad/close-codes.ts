/** The pad's close codes live in shared/pad (the browser maps them by name); the reason's size limit is the server's concern. */
export { CloseCode, type CloseCodeName } from '../../shared/pad/close-codes.ts';

/** Close reasons must fit a control frame (123 bytes of UTF-8). */
export function closeReason(text: string): string {
	const bytes = new TextEncoder().encode(text);
	if (bytes.length <= 123) return text;
	return new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD$/, '') + '...';
}
