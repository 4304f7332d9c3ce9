/**
 * One authenticated WebSocket syncing one pad document: reads y-websocket
 * protocol messages, enforces the per-connection rate limit, keeps the
 * connection alive with pings, and closes with a named code when a limit
 * is broken.
 */
import { WebSocket } from 'ws';
import * as decoding from 'lib0/decoding';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { CloseCode, closeReason } from './close-codes.ts';
import type { RoomRole } from '../../shared/domain.ts';
import { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC, type PadDocument, type PadPeer } from './document.ts';

export interface PadUser {
	userId: string;
	role: RoomRole;
}

// A slow reader that lets this much pile up is dropped rather than held in memory.
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

let counter = 0;

export class PadConnection implements PadPeer {
	readonly id: string;
	readonly user: PadUser;
	readonly userId: string;
	private readonly ws: WebSocket;
	private readonly doc: PadDocument;
	private readonly log: Logger;
	private tokens: number = limits.pad.messageBurst;
	private refilledAt = Date.now();
	private alive = true;
	private readonly heartbeat: NodeJS.Timeout;

	constructor(ws: WebSocket, doc: PadDocument, user: PadUser, log: Logger) {
		this.id = `c${++counter}`;
		this.ws = ws;
		this.doc = doc;
		this.user = user;
		this.userId = user.userId;
		this.log = log.child({ doc: doc.name, connection: this.id, user: user.userId });
		ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
		ws.on('close', () => this.closed());
		ws.on('error', (err) => this.log.debug({ err }, 'pad socket error'));
		ws.on('pong', () => (this.alive = true));
		this.heartbeat = setInterval(() => {
			if (!this.alive) {
				this.log.debug('pad connection missed a heartbeat; dropping it');
				return void this.ws.terminate();
			}
			this.alive = false;
			this.ws.ping();
		}, limits.pad.heartbeatMs);
		this.heartbeat.unref();
		doc.addPeer(this);
	}

	send(message: Uint8Array): void {
		if (this.ws.readyState !== WebSocket.OPEN) return;
		if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
			this.log.warn({ buffered: this.ws.bufferedAmount }, 'pad connection cannot keep up; dropping it');
			return void this.ws.terminate();
		}
		// No callback per message: a failed send closes the socket, which 'error' and 'close' report.
		this.ws.send(message);
	}

	close(code: number, reason: string): void {
		if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
			this.log.info({ code, reason }, 'closing pad connection');
			this.ws.close(code, closeReason(reason));
		}
		// Stop listening at once: nothing more from this connection is applied.
		this.doc.removePeer(this);
	}

	private closed() {
		clearInterval(this.heartbeat);
		this.doc.removePeer(this);
	}

	private allow(): boolean {
		const now = Date.now();
		this.tokens = Math.min(limits.pad.messageBurst, this.tokens + ((now - this.refilledAt) / 1000) * limits.pad.messagesPerSecond);
		this.refilledAt = now;
		if (this.tokens < 1) return false;
		this.tokens--;
		return true;
	}

	receive(data: Buffer, isBinary: boolean): void {
		if (!this.doc.peers.has(this)) return; // closing
		if (!isBinary) return this.close(CloseCode.badMessage, 'Pad messages are binary.');
		if (!this.allow()) {
			this.log.warn('pad connection over its message rate');
			return this.close(CloseCode.rateLimited, 'Too many changes too fast; reconnecting shortly.');
		}
		try {
			const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
			const type = decoding.readVarUint(decoder);
			switch (type) {
				case MESSAGE_SYNC:
					return this.doc.handleSync(decoder, this);
				case MESSAGE_AWARENESS:
					return this.doc.handleAwareness(decoding.readVarUint8Array(decoder), this);
				case MESSAGE_QUERY_AWARENESS:
					return this.doc.answerAwarenessQuery(this);
				case MESSAGE_AUTH:
					return; // Clients have nothing to say here; sign-in was checked at the handshake.
				default:
					return this.close(CloseCode.badMessage, `Unknown message type ${type}.`);
			}
		} catch (err) {
			this.log.warn({ err }, 'malformed pad message');
			this.close(CloseCode.badMessage, 'The message is not valid sync protocol.');
		}
	}
}
