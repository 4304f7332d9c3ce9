/**
 * Origin checks. Browsers send `Origin` on cross-site posts and on every
 * WebSocket handshake; SvelteKit's CSRF check only covers its own form posts,
 * so sockets and JSON endpoints check here. With ORIGIN configured it must
 * match exactly; without it, the origin must name the host the request was
 * sent to (what a same-site page always does).
 */
import type { IncomingMessage } from 'node:http';

export function originAllowed(req: Pick<IncomingMessage, 'headers'>, configured: string | undefined): boolean {
	const origin = req.headers.origin;
	// Non-browser clients (tests, scripts) send no Origin; they cannot ride a
	// victim's cookies, so the cookie check alone governs them.
	if (origin === undefined) return true;
	if (configured) return origin === configured;
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}
