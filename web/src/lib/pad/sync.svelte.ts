/**
 * The browser side of one pad document: a Y.Doc synced by the stock
 * y-websocket provider to `/pad/<name>` on this origin (the session cookie
 * goes with the handshake), with reactive state for the UI: connection
 * status, whether the server takes edits, who else is here, and an undo
 * manager for the lists. Instances are shared per document and kept a
 * little after the last component lets go, so switching tabs does not
 * reconnect. Reconnects follow the shared retry policy (retryKnobs.pad),
 * not the provider's own fixed doubling; a 44xx close is final.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import {
	PAD_PATH,
	actionsOf,
	carriedOf,
	closeCodeName,
	learningOf,
	padName,
	serverStateOf,
	type CloseCodeName,
	type PadKind,
	type PadServerState
} from '$shared/pad/index.ts';
import type { RoomRole } from '$shared/domain.ts';
import { backoff, retryKnobs } from '$shared/retry.ts';
import { Retry } from '$lib/retry.ts';
import { reportUnsynced } from '$lib/summary/unsynced.ts';
import { colourFor } from './colours.ts';
import { SavedEdits } from './saved-edits.svelte.ts';

export type PadStatus = 'connecting' | 'online' | 'offline' | 'refused';

export interface PadPerson {
	id: string;
	name: string;
	role: RoomRole;
}

export interface Peer {
	clientId: number;
	name: string;
	colour: string;
	/** What they are working on, e.g. "actions", "notes", or an action id. */
	focus: string | null;
}

/** Keep a document this long after the last component closed it (tab switches). */
const LINGER_MS = 30_000;

const CLOSE_MESSAGES: Partial<Record<CloseCodeName, string>> = {
	unauthenticated: 'You are signed out on this device (or your sign-in expired). Sign in again to keep editing the pad.',
	forbidden: 'You do not have access to this document.',
	notFound: 'This pad could not be found.',
	twoFactorRequired: 'The coach of this engagement requires two-factor sign-in. Set it up in Settings, Sign-in security, then open the session again.',
	displaced: 'This pad is open in too many of your tabs or windows, so this one stopped syncing. Reload the page to use it here.'
};

export class PadSync {
	readonly doc = new Y.Doc();
	readonly provider: WebsocketProvider;
	/** Origin of this page's own edits: what undo tracks. */
	readonly origin = { local: true };
	readonly undo: Y.UndoManager;
	readonly me: PadPerson;
	status = $state<PadStatus>('connecting');
	synced = $state(false);
	server = $state<PadServerState | null>(null);
	problem = $state<string | null>(null);
	peers = $state.raw<Peer[]>([]);
	/** Bumped on every document change, so derived views re-read the doc. */
	version = $state(0);
	/** Which of this page's edits the server has stored ("Saved" and the end check both read it). */
	readonly saved: SavedEdits;
	private readonly stopReporting: () => void;
	private readonly retry = new Retry({
		policy: backoff(retryKnobs.pad),
		attempt: () => {
			if (this.status === 'refused') return;
			// A socket stuck connecting (the network changed under it) is replaced, not waited for.
			if (this.provider.ws && !this.provider.wsconnected) this.provider.disconnect();
			this.provider.connect();
		}
	});

	constructor(sessionId: string, kind: PadKind, me: PadPerson) {
		this.me = me;
		const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
		this.provider = new WebsocketProvider(`${scheme}://${location.host}${PAD_PATH}`, padName(sessionId, kind), this.doc, {
			disableBc: true
		});
		this.saved = new SavedEdits(this.provider, () => !this.server?.readOnly);
		this.provider.awareness.setLocalStateField('user', { name: me.name, color: colourFor(me.id), role: me.role });
		this.undo = new Y.UndoManager([actionsOf(this.doc), carriedOf(this.doc), learningOf(this.doc)], {
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- Yjs wants a plain Set; nothing renders it
			trackedOrigins: new Set([this.origin])
		});
		this.provider.on('status', ({ status }) => {
			if (this.status === 'refused') return;
			this.status = status === 'connected' ? 'online' : status === 'connecting' ? 'connecting' : 'offline';
		});
		this.provider.on('sync', (synced: boolean) => {
			this.synced = synced;
			if (synced) this.retry.succeeded();
		});
		this.provider.on('connection-close', (event) => {
			// 45xx: the server asks us to come back later.
			if (event && event.code >= 4500 && event.code < 4600 && event.reason) this.problem = event.reason;
			// Closed on purpose (disconnect, destroy): nothing to retry.
			if (!this.provider.shouldConnect) return;
			// The provider's own reconnect timer then finds nothing to do; our policy times the next try.
			this.provider.shouldConnect = false;
			if (!event || this.provider.shouldReconnect(event, this.provider)) this.retry.failed();
			// Otherwise (44xx) the provider emits `closed` next: refused for good.
		});
		this.provider.on('closed', ({ code, reason }) => {
			this.retry.cancel();
			this.status = 'refused';
			const name = closeCodeName(code);
			this.problem = (name && CLOSE_MESSAGES[name]) ?? (reason || 'The pad refused the connection.');
		});
		this.provider.awareness.on('change', () => this.readAwareness());
		this.doc.on('update', (_u: Uint8Array, origin: unknown) => {
			if (origin !== this.provider) this.saved.edited();
			if (origin !== this.provider && this.synced && this.problem && this.status === 'online') this.problem = null;
			this.version++;
		});
		this.stopReporting = reportUnsynced(() => ({ sessionId, document: kind === 'private' ? 'private notes' : 'shared notes', edits: this.saved.pending, lastEditAt: this.saved.pendingSince }));
	}

	get readOnly(): boolean {
		return this.status === 'refused' || !!this.server?.readOnly;
	}

	/** Says what this person is working on (shown to the others). */
	focus(what: string | null): void {
		this.provider.awareness.setLocalStateField('focus', what);
	}

	private readAwareness() {
		const states = this.provider.awareness.getStates() as Map<number, Record<string, unknown>>;
		this.server = serverStateOf(states);
		const peers: Peer[] = [];
		for (const [clientId, state] of states) {
			if (clientId === this.doc.clientID) continue;
			const user = state.user as { name?: unknown; color?: unknown } | undefined;
			if (!user || typeof user.name !== 'string') continue;
			peers.push({
				clientId,
				name: user.name,
				colour: typeof user.color === 'string' ? user.color : '#777',
				focus: typeof state.focus === 'string' ? state.focus : null
			});
		}
		this.peers = peers;
	}

	destroy(): void {
		this.retry.destroy();
		this.stopReporting();
		this.saved.destroy();
		this.undo.destroy();
		this.provider.destroy();
		this.doc.destroy();
	}
}

// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry of open pads, never rendered
const open = new Map<string, { sync: PadSync; users: number; timer?: ReturnType<typeof setTimeout> }>();

/** The shared instance for a document; call `releasePad` when done. */
export function acquirePad(sessionId: string, kind: PadKind, me: PadPerson): PadSync {
	const key = padName(sessionId, kind);
	let entry = open.get(key);
	if (!entry) {
		entry = { sync: new PadSync(sessionId, kind, me), users: 0 };
		open.set(key, entry);
	}
	if (entry.timer) clearTimeout(entry.timer);
	entry.timer = undefined;
	entry.users++;
	return entry.sync;
}

export function releasePad(sync: PadSync): void {
	for (const [key, entry] of open) {
		if (entry.sync !== sync) continue;
		entry.users--;
		if (entry.users > 0) return;
		entry.timer = setTimeout(() => {
			open.delete(key);
			sync.destroy();
		}, LINGER_MS);
		return;
	}
}
