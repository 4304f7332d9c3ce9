/**
 * One loaded document's view of the seqs stored by every instance: applies
 * what other instances stored in seq order, holding back an update that
 * arrives before one it follows. A gap that does not close within a moment
 * (a lost or late fan-out message) is filled from the database, so fan-out
 * only ever speeds things up: PostgreSQL holds every seq.
 */
import type { MissedUpdates } from './store/index.ts';

/** What a feed does to its document. */
export interface FeedDoc {
	readonly name: string;
	/** The highest seq the document held when it was loaded. */
	readonly lastSeq: number;
	/** Local connections (a document nobody here uses needs no backstop poll). */
	readonly peerCount: number;
	/** Applies an update another instance stored (and relays it to local peers). */
	applyRemote(update: Uint8Array, seq: number): void;
	/** Another instance ended the session: read-only here too. */
	sealedElsewhere(): void;
	/** Applies awareness another instance's peers set (ephemeral: Redis alone carries it). */
	applyRemoteAwareness(update: Uint8Array, instanceId: string): void;
	/** Other instances whose peers' awareness the document holds. */
	remoteAwarenessOwners(): string[];
	/** That instance died: its peers' awareness goes. */
	dropRemoteAwareness(instanceId: string): void;
}

export class DocFeed {
	readonly doc: FeedDoc;
	/** Every seq up to this one is in the document. */
	private applied: number;
	/** Seqs above `applied` known already: bytes to apply, or null for this instance's own (applied when accepted). */
	private readonly ahead = new Map<number, Uint8Array | null>();
	/** The last fan-out stream entry read (null until the stream's tail is known). */
	lastId: string | null = null;
	/** The session ended (this instance was told). */
	sealed = false;
	/** When something last arrived for this document (fan-out or database). */
	heardAt = Date.now();
	private gapTimer: NodeJS.Timeout | null = null;
	private readonly onGap: (feed: DocFeed) => void;
	private readonly gapWaitMs: number;

	constructor(doc: FeedDoc, onGap: (feed: DocFeed) => void, gapWaitMs: number) {
		this.doc = doc;
		this.applied = doc.lastSeq;
		this.onGap = onGap;
		this.gapWaitMs = gapWaitMs;
	}

	get appliedSeq(): number {
		return this.applied;
	}

	/** True while some seq below a known one is missing. */
	get gapped(): boolean {
		return this.ahead.size > 0;
	}

	/** This instance stored `seq` (its update is in the document already). */
	own(seq: number): void {
		if (seq <= this.applied) return;
		this.ahead.set(seq, null);
		this.advance();
	}

	/** Another instance stored `seq` (from the fan-out stream). */
	remote(seq: number, update: Uint8Array): void {
		this.heardAt = Date.now();
		if (seq <= this.applied || this.ahead.has(seq)) return;
		this.ahead.set(seq, update);
		this.advance();
	}

	/** What the database holds after `appliedSeq` (read when a gap stayed open, or as a backstop). */
	caughtUp(missed: MissedUpdates): void {
		this.heardAt = Date.now();
		const snap = missed.snapshot;
		if (snap && snap.seq > this.applied) {
			this.doc.applyRemote(snap.data, snap.seq);
			this.applied = snap.seq;
		}
		// An own update among these is in the document already: applying it again changes nothing.
		for (const u of missed.updates) {
			if (u.seq <= this.applied) continue;
			this.doc.applyRemote(u.data, u.seq);
			this.applied = u.seq;
		}
		for (const seq of this.ahead.keys()) if (seq <= this.applied) this.ahead.delete(seq);
		this.advance();
		if (missed.sealed) this.seal();
	}

	seal(): void {
		this.sealed = true;
		this.doc.sealedElsewhere();
	}

	private advance() {
		while (this.ahead.has(this.applied + 1)) {
			const next = this.applied + 1;
			const update = this.ahead.get(next);
			this.ahead.delete(next);
			this.applied = next;
			if (update) this.doc.applyRemote(update, next);
		}
		if (this.ahead.size === 0) this.clearGap();
		else this.gapLater();
	}

	private gapLater() {
		if (this.gapTimer) return;
		this.gapTimer = setTimeout(() => {
			this.gapTimer = null;
			if (this.ahead.size > 0) this.onGap(this);
		}, this.gapWaitMs);
		this.gapTimer.unref();
	}

	private clearGap() {
		if (this.gapTimer) clearTimeout(this.gapTimer);
		this.gapTimer = null;
	}

	stop(): void {
		this.clearGap();
	}
}
