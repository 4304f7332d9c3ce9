/**
 * The address a request came from. Behind a reverse proxy every request
 * arrives from the proxy's address, so limits keyed by address would lump all
 * users together; when `ADDRESS_HEADER` names the proxy's header (the same
 * variable adapter-node reads for the pages), the client's address is read
 * from it, `XFF_DEPTH` entries from the right of `X-Forwarded-For` (the ones
 * the trusted proxies appended). Without it the socket's address is used:
 * the header would be the client's own claim.
 */
import type { IncomingMessage } from 'node:http';

export interface AddressSource {
	/** Lower-case header name, e.g. `x-forwarded-for`, or undefined to use the socket. */
	header: string | undefined;
	/** For X-Forwarded-For: which entry from the right is the client (1 = the last proxy's view). */
	xffDepth: number;
}

export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, source: AddressSource): string {
	const socketAddress = req.socket.remoteAddress ?? 'unknown';
	if (!source.header) return socketAddress;
	const raw = req.headers[source.header];
	const value = Array.isArray(raw) ? raw.join(',') : raw;
	if (!value) return socketAddress;
	if (source.header !== 'x-forwarded-for') return value.trim() || socketAddress;
	const hops = value.split(',').map((s) => s.trim()).filter(Boolean);
	return hops[hops.length - source.xffDepth] ?? hops[0] ?? socketAddress;
}
