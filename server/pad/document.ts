/**
 * One live pad document: its Y.Doc and awareness, the connections syncing
 * it, and the rule that makes it durable: an accepted update is stored
 * before it is broadcast, and a newcomer is sent only stored state. When
 * saving fails the document stays in memory, keeps its unsaved updates
 * queued for retry, and tells clients it is read-only for now.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { SERVER_AWARENESS_ID, SERVER_STATE_KEY, type PadServerState } from '../../shared/pad/index.ts';
import { CloseCode } from './close-codes.ts';
import type { PadHeads, StoredDoc } from './store/index.ts';
import type { UpdateWriter } from './writer.ts';
import { running } from '../health/index.ts';
import type { ApplyCostWeights } from './apply-cost.ts';
import { judgeUpdate } from './admission.ts';
import { changedIn, cpuMs, docFromStored, hasPending, recentCpuMs, reload } from './transactions.ts';
import { awarenessMessage, readAwarenessEntries, syncMessage, writeAwarenessEntries, type AwarenessEntry } from './messages.ts';
import { AwarenessLedger, judgeAwareness, RemoteInstance, remoteAwarenessLimits } from './awareness.ts';
import { AnswerBuckets } from './shares.ts';

export { MESSAGE_AUTH, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC, syncMessage } from './messages.ts';

/** How much work one update may cause (limits.pad; tests pass their own). */
export interface ApplyBudget {
	applyBudgetMs: number;
	applyCost: ApplyCostWeights;
}

/** Where a document writes its compacted snapshot, and reads itself back from when an applied update has to be undone. */
export interface DocumentStorage {
	compact(doc: string, state: Uint8Array, seq: number): Promise<void>;
	load(doc: string): Promise<StoredDoc>;
	/** A store several instances share folds from the database under the head row's lock instead of from this memory. */
	heads?: Pick<PadHeads, 'fold'>;
}

/** What a document needs from a connection. */
export interface PadPeer {
	readonly id: string;
	/** Who is behind the connection, for the log. */
	readonly userId?: string;
	send(message: Uint8Array): void;
	close(code: number, reason: string): void;
}

const LOAD = Symbol('load');
/** Updates another instance stored (already durable): relayed, not stored again. */
const REMOTE = Symbol('remote');
/** How old the CPU reading an untimed apply is checked against may be (see receiveUpdate). */
const CPU_MARK_MS = 10;

export const SAVING_FAILED = "Saving isn't working right now. The pad is read-only until it does; nothing you wrote is lost.";
export const SESSION_ENDED = 'This session has ended. The pad is kept as it was; its summary is on the engagement page.';

/** What a peer's update changed, kept until its apply was measured (see receiveUpdate). */
interface Applied {
	asSent: boolean;
	beforeState: Map<number, number>;
}

export class PadDocument {
	readonly name: string;
	private current: Y.Doc;
	readonly awareness: awarenessProtocol.Awareness;
	readonly peers = new Set<PadPeer>();
	/** Called when the last peer leaves (the registry schedules unloading). */
	onEmpty: () => void = () => {};
	/** Called once an accepted update is stored under `seq` (the registry's fan-out tells other instances). */
	onStored: (seq: number, update: Uint8Array) => void = () => {};
	/**
	 * Called when local peers' awareness changed (the registry's fan-out tells
	 * other instances): `changed` holds their changed clients, `current` every
	 * local client's state now (null when none is left).
	 */
	onLocalAwareness: (changed: Uint8Array, current: Uint8Array | null) => void = () => {};

	private seq: number;
	/** Bytes accepted since the last exact measurement: bounds the document size cheaply. */
	private bytes: number;
	private sinceCompaction: number;
	private unstored = 0;
	private lastWrite: Promise<void> = Promise.resolve();
	private compacting: Promise<void> | null = null;
	private compactTimer: NodeJS.Timeout | null = null;
	/** The peer update being applied right now (see onTransaction). */
	private incoming: { update: Uint8Array; frame: Uint8Array | null; from: PadPeer; pendingBefore: boolean; applied: Applied[] } | null = null;
	/** Another instance's update being applied right now (see applyRemote). */
	private remote: { update: Uint8Array; pendingBefore: boolean } | null = null;
	/** Set while the document is rebuilt from the store (which holds every accepted update) after an applied one was undone. */
	private rebuilding: Promise<void> | null = null;
	private destroyed = false;
	private savingProblem: PadServerState | null = null;
	private sealed: PadServerState | null = null;
	private readonly ledger = new AwarenessLedger<PadPeer | RemoteInstance>();
	/** Other instances whose peers' awareness this document holds, by instance id. */
	private readonly remotes = new Map<string, RemoteInstance>();
	/** Full-state answers per person (see shares.ts). */
	readonly answers: AnswerBuckets;
	// Spread over 1-1.5x the limit, so documents opened together do not all compact at once.
	private readonly compactAfter = Math.round(limits.pad.compactAfterUpdates * (1 + Math.random() / 2));
	private readonly writer: UpdateWriter;
	private readonly storage: DocumentStorage;
	private readonly log: Logger;
	private readonly budget: ApplyBudget;

	constructor(name: string, stored: StoredDoc, deps: { writer: UpdateWriter; storage: DocumentStorage; log: Logger; budget?: ApplyBudget; answers?: AnswerBuckets }) {
		this.name = name;
		this.writer = deps.writer;
		this.storage = deps.storage;
		this.log = deps.log.child({ doc: name });
		this.budget = deps.budget ?? limits.pad;
		this.answers = deps.answers ?? new AnswerBuckets();
		this.seq = stored.seq;
		this.bytes = stored.bytes;
		this.sinceCompaction = stored.updates.length;
		this.current = docFromStored(stored, null, LOAD, this.log);
		this.awareness = new awarenessProtocol.Awareness(this.doc);
		this.awareness.setLocalState(null);
		// The server speaks under an id no client may use (handleAwareness drops it from clients).
		this.awareness.clientID = SERVER_AWARENESS_ID;
		// Not 'update': with no listener there, Yjs does not re-encode every transaction (see onTransaction).
		this.doc.on('afterTransactionCleanup', this.onTransaction);
		this.awareness.on('update', this.onAwareness);
	}

	/** The live Y.Doc (a new one after an update had to be undone). */
	get doc(): Y.Doc {
		return this.current;
	}

	get readOnly(): PadServerState | null {
		return this.sealed ?? this.savingProblem;
	}

	/** True while some applied update is not stored yet. */
	get unsaved(): boolean {
		return this.unstored > 0;
	}

	/** True when the stored snapshot holds every update applied so far. */
	get compacted(): boolean {
		return this.sinceCompaction === 0;
	}

	/** Highest update sequence number given out (stored or being stored). */
	get lastSeq(): number {
		return this.seq;
	}

	get peerCount(): number {
		return this.peers.size;
	}

	/**
	 * Every change to the Y.Doc, whoever made it, goes through here. A peer's
	 * update that integrated completely is stored and relayed as the bytes
	 * the peer sent (re-encoding each keystroke cost the server more than
	 * storing it); anything else (the server's own changes, updates that
	 * waited for or left missing pieces) is encoded from the document.
	 */
	private readonly onTransaction = (tr: Y.Transaction) => {
		if (tr.origin === LOAD || !changedIn(tr)) return;
		if (tr.origin === REMOTE) return this.relayRemote(tr.beforeState);
		const incoming = this.incoming;
		const asSent = incoming !== null && tr.origin === incoming.from && !incoming.pendingBefore && !hasPending(this.doc);
		// A peer's update is stored and relayed only once its apply was measured.
		if (incoming !== null && tr.origin === incoming.from) incoming.applied.push({ asSent, beforeState: tr.beforeState });
		else this.acceptChange(tr.beforeState, tr.origin);
	};

	private acceptChange(beforeState: Map<number, number>, origin: unknown) {
		this.accept(Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(beforeState)), null, origin);
	}

	/** Stores an update and then relays it to the other peers (`frame`: the message to send, when already at hand). */
	private accept(update: Uint8Array, frame: Uint8Array | null, origin: unknown) {
		this.sinceCompaction++;
		const message = frame ?? syncMessage((e) => syncProtocol.writeUpdate(e, update));
		const relay = () => {
			for (const peer of this.peers) if (peer !== origin) peer.send(message);
			this.compactSoon();
		};
		if (this.writer.sequenced) return this.acceptSequenced(update, relay);
		this.seq++;
		if (this.writer.storeNow(this.name, this.seq, update)) return relay();
		this.unstored++;
		this.lastWrite = this.writer.append(this.name, this.seq, update).then(() => {
			this.unstored--;
			relay();
		});
	}

	/**
	 * The store hands out the seq (its head row, shared by every instance):
	 * it is learnt from the answer. A sealed head stores nothing: the session
	 * ended on another instance, so this one turns read-only and drops the
	 * update it had applied by rebuilding from the store.
	 */
	private acceptSequenced(update: Uint8Array, relay: () => void) {
		this.unstored++;
		this.lastWrite = this.writer.append(this.name, 0, update).then((seq) => {
			this.unstored--;
			if (seq === null) {
				this.seal(SESSION_ENDED);
				return this.restore();
			}
			if (seq > this.seq) this.seq = seq;
			relay();
			this.onStored(seq, update);
		});
	}

	private compactSoon() {
		if (this.sinceCompaction >= this.compactAfter) void this.compact();
		else this.compactLater();
	}

	/**
	 * Applies an update another instance stored (it is durable already) and
	 * relays it to this instance's peers. Applying one this document has
	 * already changes nothing and relays nothing.
	 */
	applyRemote(update: Uint8Array, seq: number): void {
		if (this.destroyed) return;
		// Rebuilding from the store: apply once the rebuilt document is in place, in the order they came.
		if (this.rebuilding) {
			void this.rebuilding.then(() => this.applyRemote(update, seq));
			return;
		}
		if (seq > this.seq) this.seq = seq;
		this.bytes += update.length;
		this.remote = { update, pendingBefore: hasPending(this.doc) };
		try {
			Y.applyUpdate(this.doc, update, REMOTE);
		} catch (err) {
			this.log.error({ err, seq }, 'an update stored by another instance could not be applied; the next load has it');
		} finally {
			this.remote = null;
		}
	}

	private relayRemote(beforeState: Map<number, number>) {
		const remote = this.remote;
		if (!remote) return;
		// It completed a local peer's update that had waited for missing pieces: that part is not stored yet.
		if (remote.pendingBefore) return this.acceptChange(beforeState, REMOTE);
		this.sinceCompaction++;
		const update = hasPending(this.doc) ? Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(beforeState)) : remote.update;
		const message = syncMessage((e) => syncProtocol.writeUpdate(e, update));
		for (const peer of this.peers) peer.send(message);
		this.compactSoon();
	}

	/** The session ended on another instance. */
	sealedElsewhere(): void {
		this.seal(SESSION_ENDED);
	}

	private readonly onAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		if (origin instanceof RemoteInstance || (origin && this.peers.has(origin as PadPeer))) {
			const states = this.awareness.getStates();
			for (const id of [...added, ...updated]) this.ledger.set(id, origin as PadPeer | RemoteInstance, JSON.stringify(states.get(id) ?? null).length);
		}
		const changed = [...added, ...updated, ...removed];
		// Read before removed clients are forgotten: a closed connection's or timed-out client's removal goes out too.
		const local = changed.filter((id) => this.isLocal(id));
		for (const id of removed) this.ledger.forget(id);
		const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
		// Sent to everyone, the sender too: stock clients count it as a sign of life.
		for (const peer of this.peers) peer.send(message);
		if (local.length > 0) this.onLocalAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, local), this.localAwareness());
	};

	/** A client one of this instance's connections owns (not the server's, not another instance's). */
	private isLocal(id: number): boolean {
		const owner = this.ledger.owners.get(id);
		return owner !== undefined && !(owner instanceof RemoteInstance);
	}

	/** Every local client's current state, for instances that load this document later. */
	private localAwareness(): Uint8Array | null {
		const ids = [...this.ledger.owners.keys()].filter((id) => this.isLocal(id) && this.awareness.getStates().has(id));
		return ids.length > 0 ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null;
	}

	/**
	 * Applies awareness another instance relayed from its peers, bounded like
	 * a connection's (an instance is trusted, a bug must not blow memory): its
	 * clients are held as that instance's, relayed to local peers, and time
	 * out after y-protocols' 30 s when the instance stops renewing them.
	 */
	applyRemoteAwareness(update: Uint8Array, instanceId: string): void {
		if (this.destroyed) return;
		if (update.length > limits.clusterPad.awarenessEntryMaxBytes) return this.log.warn({ instance: instanceId, bytes: update.length }, 'pad awareness from another instance too large; ignored');
		let entries: AwarenessEntry[];
		try {
			entries = readAwarenessEntries(update);
		} catch {
			return this.log.warn({ instance: instanceId }, 'pad awareness from another instance could not be decoded; ignored');
		}
		let from = this.remotes.get(instanceId);
		if (!from) this.remotes.set(instanceId, (from = new RemoteInstance(instanceId)));
		const verdict = judgeAwareness(entries, from, this.ledger, remoteAwarenessLimits);
		if (!verdict.ok) return this.log.warn({ instance: instanceId, bytes: update.length }, `${verdict.log} (from another instance); ignored`);
		if (verdict.entries.length === 0) return;
		try {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, verdict.rewritten ? writeAwarenessEntries(verdict.entries) : update, from);
		} catch (err) {
			this.log.warn({ err, instance: instanceId }, 'pad awareness from another instance could not be applied; ignored');
		}
	}

	/** Other instances whose peers' awareness this document holds now. */
	remoteAwarenessOwners(): string[] {
		const owners = new Set<string>();
		for (const owner of this.ledger.owners.values()) if (owner instanceof RemoteInstance) owners.add(owner.instanceId);
		return [...owners];
	}

	/**
	 * Another instance died (its heartbeat is gone): its peers' names and
	 * cursors go now rather than after y-protocols' 30 s, so a person who
	 * moved to a live instance is shown once, from there.
	 */
	dropRemoteAwareness(instanceId: string): void {
		const from = this.remotes.get(instanceId);
		if (!from) return;
		this.remotes.delete(instanceId);
		const ids = [...this.ledger.heldBy(from).keys()];
		if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, from);
	}

	/** Resolves once every update applied so far is stored. */
	async stored(): Promise<void> {
		while (this.unstored > 0) await this.lastWrite;
	}

	/** Resolves once the live document is exactly what is stored: nothing unsaved, no rebuild under way. */
	async settled(): Promise<void> {
		while (this.rebuilding || this.unstored > 0) await (this.rebuilding ?? this.lastWrite);
	}

	addPeer(peer: PadPeer): void {
		this.peers.add(peer);
		peer.send(syncMessage((e) => syncProtocol.writeSyncStep1(e, this.doc)));
		const states = [...this.awareness.getStates().keys()];
		if (states.length > 0) peer.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)));
	}

	removePeer(peer: PadPeer): void {
		if (!this.peers.delete(peer)) return;
		const ids = [...this.ledger.heldBy(peer).keys()];
		if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, null);
		if (this.peers.size === 0) this.onEmpty();
	}

	/** Handles a sync message (step 1, step 2 or update) from a peer. */
	handleSync(decoder: decoding.Decoder, from: PadPeer): void {
		const type = decoding.readVarUint(decoder);
		if (type === syncProtocol.messageYjsSyncStep1) {
			const stateVector = decoding.readVarUint8Array(decoder);
			try {
				Y.decodeStateVector(stateVector);
			} catch {
				return from.close(CloseCode.badMessage, 'The state vector could not be decoded.');
			}
			void this.answerStep1(stateVector, from);
		} else if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
			const update = decoding.readVarUint8Array(decoder);
			// An update message with nothing after it can be relayed as it came.
			const whole = type === syncProtocol.messageYjsUpdate && decoder.pos === decoder.arr.length;
			this.receiveUpdate(update, from, whole ? decoder.arr : null);
		} else {
			from.close(CloseCode.badMessage, `Unknown sync message type ${type}.`);
		}
	}

	// Only stored state goes out, so a client can never hold an update that a crash could lose.
	// Charged against the person's answer budget: judged on the document's size before it is encoded.
	private async answerStep1(stateVector: Uint8Array, to: PadPeer) {
		await this.settled();
		if (!this.peers.has(to)) return;
		const key = to.userId ?? to.id;
		if (!this.answers.affords(key, this.bytes)) return this.overAnswerBudget(to, 'sync');
		const answer = syncMessage((e) => syncProtocol.writeSyncStep2(e, this.doc, stateVector));
		this.answers.charge(key, answer.length);
		to.send(answer);
	}

	/** A peer asked for everyone's awareness (y-websocket's query message). */
	answerAwarenessQuery(to: PadPeer): void {
		const key = to.userId ?? to.id;
		const answer = this.awarenessOf();
		if (!this.answers.affords(key, answer.length)) return this.overAnswerBudget(to, 'awareness');
		this.answers.charge(key, answer.length);
		to.send(answer);
	}

	private overAnswerBudget(to: PadPeer, what: string) {
		this.log.warn({ peer: to.id, user: to.userId, what }, 'pad connection asked for the whole document too often');
		to.close(CloseCode.rateLimited, 'Asked for the whole pad too often; reconnecting shortly.');
	}

	/** `frame`: the sync message the update came in, if it can be relayed as is. */
	receiveUpdate(update: Uint8Array, from: PadPeer, frame: Uint8Array | null = null): void {
		// Read-only, or being rebuilt: the client keeps its edits; they are pulled again afterwards.
		if (this.readOnly || this.rebuilding) return;
		const estimated = this.admit(update, from);
		if (estimated === null) return;
		this.bytes += update.length;
		const incoming = { update, frame, from, pendingBefore: hasPending(this.doc), applied: [] as Applied[] };
		this.incoming = incoming;
		// CPU time of this thread, not wall time: a descheduled process is no fault
		// of the update. Reading it is a system call, so an update the estimate
		// calls small (a keystroke) is timed by the clock, which CPU time never
		// exceeds; only if the clock overran is CPU time read, against a reading
		// taken at most CPU_MARK_MS before (so never less than the apply used).
		const timed = estimated >= this.budget.applyCost.timedFrom;
		const wallStarted = performance.now();
		const started = timed ? cpuMs() : recentCpuMs(wallStarted, CPU_MARK_MS);
		try {
			running('pad apply', () => Y.applyUpdate(this.doc, update, from), { doc: this.name, user: from.userId });
		} catch (err) {
			// It may have changed part of the document (or left pieces waiting) before it failed.
			this.log.warn({ err, peer: from.id, user: from.userId }, 'pad update could not be applied; document restored');
			this.restore();
			return from.close(CloseCode.badMessage, 'The update could not be applied.');
		} finally {
			this.incoming = null;
		}
		const wall = performance.now() - wallStarted;
		const took = timed || wall > this.budget.applyBudgetMs ? cpuMs() - started : wall;
		if (took > this.budget.applyBudgetMs) {
			this.log.warn({ peer: from.id, user: from.userId, ms: Math.round(took), bytes: update.length }, 'pad update used too much CPU to apply; refused, document restored');
			this.restore();
			return from.close(CloseCode.updateRejected, 'The update took too much work to apply.');
		}
		for (const a of incoming.applied) {
			if (a.asSent) this.accept(update, frame, from);
			else this.acceptChange(a.beforeState, from);
		}
	}

	/** The checks before an update touches the document: its declared structure, the document's size, the work it would cause. Returns that work, or null when refused. */
	private admit(update: Uint8Array, from: PadPeer): number | null {
		const judged = judgeUpdate(update, {
			doc: this.doc,
			bytes: () => this.bytes,
			measure: () => (this.bytes = this.exactBytes()),
			budget: this.budget.applyCost
		});
		if ('cost' in judged) return judged.cost;
		const { refusal } = judged;
		this.log.warn({ peer: from.id, user: from.userId, bytes: update.length, ...refusal.detail }, refusal.log);
		from.close(refusal.code, refusal.reason);
		return null;
	}

	/**
	 * Drops an applied update that was neither stored nor relayed: the live
	 * document stops taking changes and is rebuilt from the store. Other peers
	 * never saw the update and stay connected; what they send meanwhile is
	 * pulled again from them afterwards; the awareness moves over.
	 */
	private restore() {
		const old = this.current;
		old.off('afterTransactionCleanup', this.onTransaction);
		this.rebuilding ??= this.rebuild(old).finally(() => (this.rebuilding = null));
	}

	private async rebuild(old: Y.Doc): Promise<void> {
		await this.stored();
		const stored = await reload(() => this.storage.load(this.name), limits.pad.rebuildRetryMs, () => this.destroyed, this.log);
		if (!stored || this.destroyed) return;
		const doc = docFromStored(stored, old.clientID, LOAD, this.log);
		this.current = doc;
		this.awareness.doc = doc;
		doc.on('afterTransactionCleanup', this.onTransaction);
		this.bytes = this.exactBytes();
		// The old one is not destroyed: that would take the awareness with it.
		for (const peer of this.peers) peer.send(syncMessage((e) => syncProtocol.writeSyncStep1(e, doc)));
	}

	handleAwareness(update: Uint8Array, from: PadPeer): void {
		let entries: AwarenessEntry[];
		try {
			entries = readAwarenessEntries(update);
		} catch {
			return from.close(CloseCode.badMessage, 'The awareness update could not be decoded.');
		}
		// Stock clients echo everyone's awareness back; a connection may only
		// change its own clients' states, never another person's or the server's.
		const verdict = judgeAwareness(entries, from, this.ledger);
		if (!verdict.ok) {
			this.log.warn({ peer: from.id, user: from.userId, bytes: update.length }, verdict.log);
			return from.close(verdict.code, verdict.reason);
		}
		if (verdict.entries.length === 0) return;
		try {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, verdict.rewritten ? writeAwarenessEntries(verdict.entries) : update, from);
		} catch {
			from.close(CloseCode.badMessage, 'The awareness update could not be applied.');
		}
	}

	awarenessOf(): Uint8Array {
		return awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]));
	}

	/** Saving started failing (problem) or works again (null). */
	setSavingProblem(problem: string | null): void {
		const was = this.readOnly;
		this.savingProblem = problem ? { readOnly: true, reason: problem } : null;
		this.announce();
		// Edits refused meanwhile are still in the clients' documents: ask for them.
		if (was && !this.readOnly) for (const peer of this.peers) peer.send(syncMessage((e) => syncProtocol.writeSyncStep1(e, this.doc)));
	}

	/** The session ended: the pad stays readable and stops taking edits. */
	seal(reason: string): void {
		if (this.sealed) return;
		this.sealed = { readOnly: true, reason };
		this.announce();
	}

	private announce() {
		const state = this.readOnly;
		this.awareness.setLocalState(state ? { [SERVER_STATE_KEY]: state } : null);
	}

	private exactBytes(): number {
		const pending = this.doc.store.pendingStructs?.update.length ?? 0;
		const pendingDs = this.doc.store.pendingDs?.length ?? 0;
		return Y.encodeStateAsUpdate(this.doc).length + pending + pendingDs;
	}

	// A document edited now and then still gets a snapshot soon, so the journal
	// behind it can go; spread over 1-1.5x, so documents do not all compact at once.
	private compactLater() {
		if (this.compactTimer) return;
		this.compactTimer = setTimeout(() => {
			this.compactTimer = null;
			void this.compact();
		}, limits.pad.compactAfterMs * (1 + Math.random() / 2));
		this.compactTimer.unref();
	}

	/** Folds the update log into one snapshot. Never runs twice at once; a failure leaves the log intact. */
	compact(): Promise<void> {
		if (this.compacting) return this.compacting;
		if (this.compactTimer) clearTimeout(this.compactTimer);
		this.compactTimer = null;
		this.compacting = (async () => {
			await this.settled();
			if (this.sinceCompaction === 0) return;
			const seq = this.seq;
			const folded = this.sinceCompaction;
			try {
				if (this.storage.heads) {
					const done = await this.storage.heads.fold(this.name, seq);
					this.sinceCompaction -= folded;
					if (done) this.bytes = done.bytes;
				} else {
					const state = Y.encodeStateAsUpdate(this.doc);
					await this.storage.compact(this.name, state, seq);
					this.sinceCompaction -= folded;
					this.bytes = state.length;
				}
			} catch (err) {
				this.log.warn({ err }, 'pad compaction failed; the update log still holds everything');
				this.compactLater();
			}
		})().finally(() => {
			this.compacting = null;
		});
		return this.compacting;
	}

	destroy(): void {
		if (this.compactTimer) clearTimeout(this.compactTimer);
		this.awareness.destroy();
		this.doc.destroy();
		this.destroyed = true;
	}
}
