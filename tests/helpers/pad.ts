/**
 * Pad clients for tests: the stock y-websocket provider in Node, with `ws`
 * as its WebSocket and the person's session cookie on the handshake. Every
 * frame the client receives is kept, for byte-level checks.
 */
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { padName, type PadKind } from '../../shared/pad/index.ts';

export interface PadClient {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** Raw frames received, in order. */
	frames: Uint8Array[];
	/** Close events the server sent (code, reason). */
	closes: { code: number; reason: string }[];
	/** Each connection's server as the load balancer named it (X-Served-By on the upgrade; tests/helpers/haproxy.ts), oldest first. */
	servedBy: string[];
	synced(): Promise<void>;
	destroy(): void;
}

export function padClient(baseUrl: string, cookie: string, sessionId: string, kind: PadKind = 'shared', opts: { connect?: boolean } = {}): PadClient {
	const frames: Uint8Array[] = [];
	const closes: { code: number; reason: string }[] = [];
	const servedBy: string[] = [];
	class CookieSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { cookie } });
			this.on('upgrade', (res) => servedBy.push(String(res.headers['x-served-by'] ?? '')));
			this.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
			this.on('close', (code: number, reason: Buffer) => closes.push({ code, reason: reason.toString() }));
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/pad', padName(sessionId, kind), doc, {
		WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		connect: opts.connect ?? true,
		maxBackoffTime: 1000
	});
	return {
		doc,
		provider,
		frames,
		closes,
		servedBy,
		synced: () =>
			new Promise<void>((resolve) => {
				if (provider.synced) return resolve();
				const on = (s: boolean) => {
					if (!s) return;
					provider.off('sync', on);
					resolve();
				};
				provider.on('sync', on);
			}),
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}

/** A raw socket to the pad endpoint, for refusal and fuzz tests. */
export function rawPadSocket(baseUrl: string, cookie: string, name: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: Uint8Array[]; closed: Promise<{ code: number; reason: string }> }> {
	const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/pad/' + name, { headers: { cookie, ...headers } });
	const frames: Uint8Array[] = [];
	ws.on('message', (d: Buffer) => frames.push(new Uint8Array(d)));
	const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	ws.on('error', () => {});
	return new Promise((resolve) => {
		ws.on('open', () => resolve({ ws, frames, closed }));
		ws.on('close', () => resolve({ ws, frames, closed }));
	});
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}
