/**
 * The live pad documents of this process, by name: loads a document once
 * (concurrent connections share the load), seeds "From last time" into a
 * shared pad, routes the writer's failing/recovered news to the documents,
 * and unloads a document (after compacting it) once nobody has used it for
 * a while. With several instances (a fan-out given), each loaded document
 * follows what the others store, and "From last time" is carried under the
 * document's head row lock, so it happens once whichever instances load it.
 */
import * as Y from 'yjs';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { CloseCode, addCarried, parsePadName } from '../../shared/pad/index.ts';
import { actionsToCarry, type CarryOverDeps } from './carry-over.ts';
import { PadDocument, SAVING_FAILED } from './document.ts';
import type { PadFanout } from './fanout.ts';
import type { PadHeads, PadStore, StoredDoc } from './store/index.ts';
import { docFromStored } from './transactions.ts';
import type { UpdateWriter } from './writer.ts';

const CARRY = Symbol('carry-over');

interface RegistryDeps {
	sessions: CarryOverDeps['sessions'];
	betweenUpdates?: CarryOverDeps['betweenUpdates'];
	store: PadStore;
	writer: UpdateWriter;
	log: Logger;
	/** Several instances: what the others store reaches this one's documents. */
	fanout?: PadFanout | null;
}

export class PadRegistry {
	private readonly docs = new Map<string, PadDocument>();
	private readonly loading = new Map<string, Promise<PadDocument>>();
	private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
	/** Opens per document, so an unload that raced with a newcomer backs off. */
	private readonly opens = new Map<string, number>();
	private readonly deps: RegistryDeps;

	constructor(deps: RegistryDeps) {
		this.deps = deps;
		deps.writer.on('failing', (names) => {
			for (const n of names) this.docs.get(n)?.setSavingProblem(SAVING_FAILED);
		});
		deps.writer.on('recovered', (names) => {
			for (const n of names) this.docs.get(n)?.setSavingProblem(null);
		});
	}

	loaded(name: string): PadDocument | undefined {
		return this.docs.get(name);
	}

	get size(): number {
		return this.docs.size;
	}

	all(): PadDocument[] {
		return [...this.docs.values()];
	}

	/** The live document, loading it (and seeding "From last time") if needed. */
	open(name: string): Promise<PadDocument> {
		const timer = this.unloadTimers.get(name);
		if (timer) {
			clearTimeout(timer);
			this.unloadTimers.delete(name);
		}
		const live = this.docs.get(name);
		if (live) {
			this.opens.set(name, (this.opens.get(name) ?? 0) + 1);
			return Promise.resolve(live);
		}
		let loading = this.loading.get(name);
		if (!loading) {
			loading = this.load(name).finally(() => this.loading.delete(name));
			this.loading.set(name, loading);
		}
		return loading;
	}

	private async load(name: string): Promise<PadDocument> {
		const { store, writer, log, fanout } = this.deps;
		const parsed = parsePadName(name);
		const heads = store.heads;
		const locked = parsed?.kind === 'shared' && heads;
		const stored = locked ? await this.carriedUnderLock(name, parsed.sessionId, heads) : await store.load(name);
		const doc = new PadDocument(name, stored, { storage: store, writer, log });
		if (parsed?.kind === 'shared' && !locked) await this.carryInto(doc, parsed.sessionId);
		doc.onEmpty = () => this.scheduleUnload(doc);
		if (fanout) {
			doc.onStored = (seq, update) => fanout.stored(name, seq, update);
			doc.onLocalAwareness = (changed, current) => fanout.awareness(name, changed, current);
			fanout.watch(doc);
			await fanout.seedAwareness(doc);
		}
		this.docs.set(name, doc);
		return doc;
	}

	/**
	 * "From last time" on a shared store: the actions are read first (other
	 * documents, the sessions), then added to the stored document under its
	 * head row's lock and stored as its next update in the same transaction.
	 * An instance loading the document at the same moment waits and finds
	 * them there (addCarried copies an action once).
	 */
	private async carriedUnderLock(name: string, sessionId: string, heads: PadHeads): Promise<StoredDoc> {
		const { store, log, sessions, fanout } = this.deps;
		try {
			const carried = await actionsToCarry(sessionId, { sessions, store, loaded: (n) => this.docs.get(n)?.doc, betweenUpdates: this.deps.betweenUpdates });
			const result = await heads.underLock(name, async (stored) => {
				if (carried.length === 0) return null;
				const doc = docFromStored(stored, null, CARRY, log);
				try {
					const before = Y.encodeStateVector(doc);
					const added = addCarried(doc, carried, CARRY);
					if (added > 0) log.info({ doc: name, added }, 'carried open actions over from the previous session');
					return added > 0 ? Y.encodeStateAsUpdate(doc, before) : null;
				} finally {
					doc.destroy();
				}
			});
			if (result.seq !== null) fanout?.stored(name, result.seq, result.stored.updates.at(-1)!);
			return result.stored;
		} catch (err) {
			log.error({ err, doc: name }, 'could not carry actions over from the previous session');
			return store.load(name);
		}
	}

	/** Seeds or refreshes "From last time" from the previous session and the updates made between sessions. */
	private async carryInto(doc: PadDocument, sessionId: string): Promise<void> {
		const { store, log, sessions } = this.deps;
		try {
			const carried = await actionsToCarry(sessionId, { sessions, store, loaded: (n) => this.docs.get(n)?.doc, betweenUpdates: this.deps.betweenUpdates });
			const added = addCarried(doc.doc, carried, CARRY);
			if (added > 0) log.info({ doc: doc.name, added }, 'carried open actions over from the previous session');
		} catch (err) {
			// The pad still opens; the review list fills in on the next load.
			log.error({ err, doc: doc.name }, 'could not carry actions over from the previous session');
		}
	}

	/**
	 * An action was updated between sessions: shared pads of this engagement's
	 * sessions that are open right now (a room opened early) take the update
	 * into "From last time" at once instead of at their next load.
	 */
	async refreshCarried(engagementId: string): Promise<void> {
		for (const doc of this.all()) {
			const parsed = parsePadName(doc.name);
			if (parsed?.kind !== 'shared') continue;
			const rec = await this.deps.sessions.sessionRecord(parsed.sessionId);
			if (!rec || rec.session.engagement_id !== engagementId || rec.session.status === 'ended') continue;
			await this.carryInto(doc, parsed.sessionId);
		}
	}

	private scheduleUnload(doc: PadDocument) {
		if (this.unloadTimers.has(doc.name)) return;
		const timer = setTimeout(() => {
			this.unloadTimers.delete(doc.name);
			void this.unload(doc);
		}, limits.pad.unloadAfterMs);
		timer.unref();
		this.unloadTimers.set(doc.name, timer);
	}

	private async unload(doc: PadDocument) {
		const opens = this.opens.get(doc.name) ?? 0;
		await doc.compact();
		if (this.docs.get(doc.name) !== doc || this.unloadTimers.has(doc.name) || doc.peers.size > 0) return; // someone came back
		// Someone is joining right now, or saving is failing and memory holds
		// the only full copy, or compacting is failing (a document leaves memory
		// compacted, so the journal behind it can go): look again later.
		if ((this.opens.get(doc.name) ?? 0) !== opens || doc.unsaved || !doc.compacted) return this.scheduleUnload(doc);
		this.docs.delete(doc.name);
		this.opens.delete(doc.name);
		this.deps.fanout?.unwatch(doc.name);
		doc.destroy();
	}

	/**
	 * Takes the document out of memory for good (its content is being erased):
	 * whoever has it open is disconnected, what was being written is waited
	 * for, so nothing is written after the erasure.
	 */
	async discard(name: string, reason: string): Promise<void> {
		await this.loading.get(name)?.catch(() => undefined);
		const doc = this.docs.get(name);
		if (!doc) return;
		const timer = this.unloadTimers.get(name);
		if (timer) clearTimeout(timer);
		this.unloadTimers.delete(name);
		for (const peer of [...doc.peers]) peer.close(CloseCode.notFound, reason);
		await doc.stored();
		this.docs.delete(name);
		this.opens.delete(name);
		this.deps.fanout?.unwatch(name);
		doc.destroy();
	}

	stopTimers(): void {
		for (const t of this.unloadTimers.values()) clearTimeout(t);
		this.unloadTimers.clear();
	}
}
