/**
 * Which of this page's edits to one pad document the server has stored: the
 * one answer both the pad's "Saved" and the end-of-session check read.
 *
 * y-websocket has no acknowledgement, and "connected and synced" says
 * nothing about the keystroke just typed (nor does the socket's
 * bufferedAmount, which also counts caret and focus messages). But the
 * server answers a sync step 1 only once every update it received before it
 * is stored (server/pad/document.ts, answerStep1), and one connection's
 * messages are handled in order. So a step 1 sent after some edits, and its
 * step 2 answer, confirm those edits: stock protocol, no new message type.
 */
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { messageSync, type WebsocketProvider } from 'y-websocket';

/** Edits in a burst share one confirmation; waiting a little keeps fast typing to a few round trips a second. */
const ASK_AFTER_MS = 250;
/** While the server keeps the pad read-only its answers confirm nothing; ask again at this pace. */
const ASK_AGAIN_MS = 1_000;

export class SavedEdits {
	/** When the latest edit not yet stored was made (epoch ms); null when the server has them all. */
	pendingSince = $state<number | null>(null);
	private made = 0;
	private confirmed = 0;
	/** Edits made when each unanswered step 1 went out, oldest first (-1: the provider's own, on connect). */
	private asked: number[] = [];
	private timer: ReturnType<typeof setTimeout> | null = null;
	private readonly provider: WebsocketProvider;
	private readonly serverTakesEdits: () => boolean;

	constructor(provider: WebsocketProvider, serverTakesEdits: () => boolean) {
		this.provider = provider;
		this.serverTakesEdits = serverTakesEdits;
		const handleSync = provider.messageHandlers[messageSync]!;
		provider.messageHandlers[messageSync] = (encoder, decoder, p, emitSynced, type) => {
			// The sync message type is one varint byte (0, 1 or 2); peek it before the handler reads it.
			const syncType = decoder.arr[decoder.pos];
			handleSync(encoder, decoder, p, emitSynced, type);
			if (syncType === syncProtocol.messageYjsSyncStep2) this.answered();
		};
		provider.on('status', ({ status }) => {
			// The provider sends its own step 1 on open; its answer may come before our edits are read.
			this.asked = status === 'connected' ? [-1] : [];
		});
		provider.on('sync', (synced: boolean) => {
			if (synced) this.askSoon(0);
		});
	}

	/** A local edit was made (typed, added, undone: anything this page changed). */
	edited(): void {
		this.made++;
		this.pendingSince = Date.now();
		this.askSoon(ASK_AFTER_MS);
	}

	get pending(): number {
		return this.made - this.confirmed;
	}

	private askSoon(delay: number): void {
		if (this.pending === 0 || this.timer) return;
		this.timer = setTimeout(() => {
			this.timer = null;
			this.ask();
		}, delay);
	}

	private ask(): void {
		const ws = this.provider.ws;
		// One question at a time; an answer asks again if edits came meanwhile. Offline, `sync` asks once back.
		if (this.pending === 0 || this.asked.length > 0 || !ws || !this.provider.wsconnected || !this.provider.synced) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageSync);
		syncProtocol.writeSyncStep1(encoder, this.provider.doc);
		this.asked.push(this.made);
		ws.send(encoding.toUint8Array(encoder));
	}

	private answered(): void {
		const upTo = this.asked.shift();
		if (upTo === undefined) return;
		if (!this.serverTakesEdits()) return this.askSoon(ASK_AGAIN_MS);
		this.confirmed = Math.max(this.confirmed, upTo);
		if (this.pending === 0) this.pendingSince = null;
		else this.askSoon(ASK_AFTER_MS);
	}

	destroy(): void {
		if (this.timer) clearTimeout(this.timer);
	}
}
