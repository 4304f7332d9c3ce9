/**
 * The agreed-actions pad: Yjs documents synced over the standard
 * y-websocket protocol at `/pad/<name>` on the server's one port.
 *
 * Offers:
 * - `createPad(deps)`: opens the pad store (what a crash left is stored
 *   first) and attaches the endpoint to the HTTP server.
 * - `pad.finalState(sessionId)`: the session's shared and private document
 *   states, everything flushed to the store first (for the summary).
 * - `pad.sessionEnded(sessionId)`: makes the session's documents read-only.
 * - `pad.close(reason)`: graceful shutdown (close sockets, flush writes).
 * With several instances (`cluster`, on PostgreSQL), seqs come from the
 * documents' head rows, what one instance stores reaches the others through
 * Redis streams after it commits (fanout.ts), and sealing reaches them all.
 * Close codes are in `close-codes.ts`.
 *
 * Document layout and readers live in shared/pad.
 */
import type { Server as HttpServer } from 'node:http';
import * as Y from 'yjs';
import { limits, type Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Store } from '../store/index.ts';
import type { Auth } from '../auth/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Cluster } from '../cluster/index.ts';
import { padName, readPadStates, type CarriedAction, type PadContent, type PadStates } from '../../shared/pad/index.ts';
import { openActionsBefore, type BetweenUpdate } from './carry-over.ts';
import { CloseCode } from './close-codes.ts';
import { PadConnection } from './connection.ts';
import { SESSION_ENDED } from './document.ts';
import { PadFanout } from './fanout.ts';
import { listen } from './endpoint.ts';
import { PadRegistry } from './registry.ts';
import { makeRoom } from './shares.ts';
import { openPadStore } from './store/index.ts';
import { UpdateWriter } from './writer.ts';


const ERASED = 'This pad was erased.';

export interface PadDeps {
	httpServer: HttpServer;
	config: Config;
	log: Logger;
	store: Store;
	auth: Auth;
	engagements: Engagements;
	/** Action updates made between sessions (the rhythm feature), merged into "From last time". */
	betweenUpdates?: (engagementId: string) => Promise<BetweenUpdate[]>;
	/** Several instances share the pads (null or absent: this process is the only one). */
	cluster?: Cluster | null;
}

/** What other features use of the pad. */
export interface Pad {
	/**
	 * The session's final shared and private document states (Yjs updates),
	 * flushed to the store first. `shared` is an empty document's state
	 * when the pad was never opened; `private` is null then.
	 */
	finalState(sessionId: string): Promise<PadStates>;
	/** The session ended: its documents stop taking edits (clients are told why). */
	sessionEnded(sessionId: string): Promise<void>;
	/** Actions still open after the engagement's latest held session, with updates made since (the engagement page). */
	openActions(engagementId: string): Promise<CarriedAction[]>;
	/** An action was updated between sessions: pads open right now show it in "From last time". */
	actionUpdated(engagementId: string): Promise<void>;
	/** The session's pad content as the reader may see it (the private document for the coach only), for their data export. */
	contentFor(sessionId: string, role: 'coach' | 'coachee'): Promise<PadContent | null>;
	/** Every stored byte of these sessions' documents goes (an engagement's content erased by agreement); open pads are closed first. */
	erase(sessionIds: readonly string[], kinds?: readonly ('shared' | 'private')[]): Promise<void>;
	/** Stops accepting, closes connections with a reason, waits for pending writes. */
	close(reason: string): Promise<void>;
}

export async function createPad(deps: PadDeps): Promise<Pad> {
	const log = deps.log.child({ feature: 'pad' });
	// A crash's leftovers are stored before anything loads (see store/).
	const store = await openPadStore({ store: deps.store, dataDir: deps.config.dataDir, log });
	const writer = new UpdateWriter(store, log, { minMs: limits.pad.writeRetryMinMs, maxMs: limits.pad.writeRetryMaxMs });
	const fanout = deps.cluster && store.heads ? new PadFanout({ cluster: deps.cluster, heads: store.heads, log }) : null;
	const registry = new PadRegistry({ sessions: deps.engagements, store, writer, log, betweenUpdates: deps.betweenUpdates, fanout });
	const connections = new Set<PadConnection>();

	const endpoint = listen(deps.httpServer, { config: deps.config, auth: deps.auth, engagements: deps.engagements, log }, (ws, admission) => {
		// Signing out (anywhere) closes this connection at once; 4401 tells the provider not to retry.
		const unregister = deps.auth.live.register(admission.authSession, () => ws.close(CloseCode.unauthenticated, 'You were signed out.'));
		ws.on('close', unregister);
		// The client speaks first (sync step 1) while the document may still be
		// loading: hold its messages, bounded, and hand them over in order.
		const early: [Buffer, boolean][] = [];
		const hold = (data: Buffer, isBinary: boolean) => {
			early.push([data, isBinary]);
			if (early.length > limits.pad.messageBurst) ws.close(CloseCode.rateLimited, 'Too many messages before the pad was ready.');
		};
		ws.on('message', hold);
		registry.open(admission.name).then(
			(doc) => {
				ws.off('message', hold);
				if (ws.readyState !== ws.OPEN) return;
				// Each person has a share of the document's connections: their own oldest goes first.
				const displaced = makeRoom(doc.peers, admission.user.userId);
				if (!displaced) return ws.close(CloseCode.rateLimited, 'This pad has too many open connections; retrying.');
				for (const old of displaced) {
					log.info({ doc: admission.name, user: old.userId, for: admission.user.userId }, 'pad connection closed to make room');
					old.close(old.userId === admission.user.userId ? CloseCode.displaced : CloseCode.rateLimited, old.userId === admission.user.userId ? 'This pad is open in too many of your tabs; this one was closed.' : 'This pad has too many open connections; retrying.');
				}
				if (admission.sessionEnded) doc.seal(SESSION_ENDED);
				const conn = new PadConnection(ws, doc, admission.user, log);
				connections.add(conn);
				for (const [data, isBinary] of early) conn.receive(data, isBinary);
				ws.on('close', () => connections.delete(conn));
			},
			(err: unknown) => {
				log.error({ err, doc: admission.name }, 'pad document could not be loaded');
				ws.close(CloseCode.unavailable, 'The pad could not be loaded; trying again.');
			}
		);
	});

	/** A document's state with everything in it stored, from memory or the store. */
	async function stateOf(name: string): Promise<Uint8Array | null> {
		const live = registry.loaded(name);
		// Shared with other instances, memory may lack what they stored last: the database has it all.
		if (live && store.heads) await live.stored();
		else if (live) {
			await live.stored();
			return Y.encodeStateAsUpdate(live.doc);
		}
		const stored = await store.load(name);
		if (!stored.snapshot && stored.updates.length === 0) return null;
		return stored.updates.length === 0 && stored.snapshot ? stored.snapshot : Y.mergeUpdates(stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates);
	}

	return {
		async finalState(sessionId) {
			const [shared, priv] = await Promise.all([stateOf(padName(sessionId, 'shared')), stateOf(padName(sessionId, 'private'))]);
			return { shared: shared ?? Y.encodeStateAsUpdate(new Y.Doc()), private: priv };
		},

		async sessionEnded(sessionId) {
			const names = (['shared', 'private'] as const).map((kind) => padName(sessionId, kind));
			for (const name of names) {
				const doc = registry.loaded(name);
				if (!doc) continue;
				doc.seal(SESSION_ENDED);
				await doc.stored();
			}
			// The head rows refuse further updates from any instance; the others hear it now, or at their next poll.
			if (store.heads) {
				await store.heads.seal(names);
				fanout?.sealed(names);
			}
		},

		openActions: (engagementId) =>
			openActionsBefore(engagementId, Infinity, { sessions: deps.engagements, store, loaded: (n) => registry.loaded(n)?.doc, betweenUpdates: deps.betweenUpdates }, true),

		actionUpdated: (engagementId) => registry.refreshCarried(engagementId),

		async contentFor(sessionId, role) {
			const [shared, priv] = await Promise.all([stateOf(padName(sessionId, 'shared')), role === 'coach' ? stateOf(padName(sessionId, 'private')) : null]);
			if (!shared && !priv) return null;
			const content = readPadStates({ shared: shared ?? Y.encodeStateAsUpdate(new Y.Doc()), private: priv });
			return role === 'coach' ? content : { ...content, privateNotesText: '', privateNotesMarkdown: '' };
		},

		async erase(sessionIds, kinds = ['shared', 'private']) {
			const names = sessionIds.flatMap((id) => kinds.map((k) => padName(id, k)));
			for (const name of names) await registry.discard(name, ERASED);
			await writer.drain();
			await store.erase(names);
			log.info({ documents: names.length }, 'pad documents erased');
		},

		async close(reason) {
			endpoint.stop();
			registry.stopTimers();
			for (const conn of connections) conn.close(CloseCode.goingAway, reason);
			await writer.drain();
			await fanout?.close();
			await store.close();
		}
	};
}
