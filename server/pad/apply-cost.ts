/**
 * What applying an update would cost the event loop, judged against the live
 * document before the update touches it, without changing it.
 *
 * Yjs keeps each client's structs in one array and splits an item wherever an
 * update needs a boundary inside it: at both ends of a delete range, after an
 * insert's origin, before its right origin. Every split is a splice, which
 * moves the rest of that array, so an update with n such entries costs about
 * n times the array's size: 80,000 one-character deletes in descending order
 * over one long item took 33 s. The count of entries alone says little, so
 * each entry is weighed by the work it will cause (`ApplyCostWeights`, units
 * of about a nanosecond on a development machine), and the estimate stops as
 * soon as the running total passes the budget.
 *
 * Ranges that are already deleted cost almost nothing, as they do in Yjs: a
 * reconnecting client's sync step 2 carries the whole document's delete set.
 */
import * as Y from 'yjs';

export interface ApplyCostWeights {
	/** Highest estimated cost an update may have. */
	budget: number;
	/** Integrating one incoming struct. */
	struct: number;
	/** One split of an item, before the move. */
	split: number;
	/** Per struct that a split's splice moves: those after the split item in its client's array. */
	movedStruct: number;
	/** Deleting one live item (and garbage-collecting it). */
	deletedItem: number;
	/** Reading one delete range and finding where it starts. */
	deleteRange: number;
	/** Stepping over one struct inside a delete range. */
	visitedStruct: number;
	/** One step of Yjs's conflict scan past an item inserted at the same place. */
	conflictStep: number;
	/** From this estimate up, an apply is timed in thread CPU time; below it, by the clock. */
	timedFrom: number;
}

export type CostVerdict = { ok: true; cost: number } | { ok: false; cost: number; reason: string };

type Decoded = ReturnType<typeof Y.decodeUpdate>;
type Struct = Decoded['structs'][number];

interface Piece {
	start: number;
	deleted: boolean;
	/** GC structs are never split. */
	splittable: boolean;
	/** Structs after it in the array (at most: every cut so far is counted as after), which a split's splice moves. */
	after: number;
}

/** Index of the struct containing `clock` in a clock-ordered array (like Yjs's findIndexSS), or -1. */
function indexAt(starts: (i: number) => number, ends: (i: number) => number, length: number, clock: number): number {
	let lo = 0;
	let hi = length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >>> 1;
		if (starts(mid) > clock) hi = mid - 1;
		else if (ends(mid) <= clock) lo = mid + 1;
		else return mid;
	}
	return -1;
}

/**
 * One client's structs as the document will see them while the update
 * applies: the ones it holds, then the incoming ones that continue them
 * without a gap, plus the boundaries the estimate has cut so far.
 */
class ClientView {
	readonly known: readonly Struct[];
	readonly state: number;
	private readonly incoming: { start: number; end: number; gc: boolean }[] = [];
	private readonly cuts = new Set<number>();
	private splits = 0;
	end: number;

	constructor(known: readonly Struct[] | undefined) {
		this.known = known ?? [];
		const last = this.known[this.known.length - 1];
		this.state = last ? last.id.clock + last.length : 0;
		this.end = this.state;
	}

	addIncoming(s: Struct): void {
		this.incoming.push({ start: s.id.clock, end: s.id.clock + s.length, gc: s instanceof Y.GC });
	}

	/** Orders the incoming structs and finds how far the client's clock will reach. */
	settle(): void {
		this.incoming.sort((a, b) => a.start - b.start);
		let end = this.state;
		let kept = 0;
		for (const s of this.incoming) {
			if (s.start > end) break; // past a gap: Yjs keeps it pending
			if (s.end <= end) continue; // already known
			this.incoming[kept++] = { start: Math.max(s.start, end), end: s.end, gc: s.gc };
			end = s.end;
		}
		this.incoming.length = kept;
		this.end = end;
	}

	pieceAt(clock: number): Piece | null {
		if (clock < 0 || clock >= this.end) return null;
		if (clock < this.state) {
			const k = this.known;
			const i = indexAt((j) => k[j]!.id.clock, (j) => k[j]!.id.clock + k[j]!.length, k.length, clock);
			const s = k[i];
			const after = k.length - i - 1 + this.incoming.length + this.splits;
			return s ? { start: s.id.clock, deleted: s.deleted, splittable: s instanceof Y.Item, after } : null;
		}
		const inc = this.incoming;
		const i = indexAt((j) => inc[j]!.start, (j) => inc[j]!.end, inc.length, clock);
		const s = inc[i];
		return s ? { start: s.start, deleted: s.gc, splittable: !s.gc, after: inc.length - i - 1 + this.splits } : null;
	}

	/** Items of this client split by the estimate so far. */
	get splitCount(): number {
		return this.splits;
	}

	/** The item the document already holds at `clock`, if any. */
	itemAt(clock: number): Y.Item | null {
		if (clock < 0 || clock >= this.state) return null;
		const k = this.known;
		const s = k[indexAt((j) => k[j]!.id.clock, (j) => k[j]!.id.clock + k[j]!.length, k.length, clock)];
		return s instanceof Y.Item ? s : null;
	}

	/** The cost of making `clock` the start of a piece (0 when it already is, or Yjs would not split there). */
	cut(clock: number, forDelete: boolean, w: ApplyCostWeights): number {
		if (this.cuts.has(clock)) return 0;
		const p = this.pieceAt(clock);
		if (!p || p.start === clock || !p.splittable || (forDelete && p.deleted)) return 0;
		this.cuts.add(clock);
		this.splits++;
		return w.split + w.movedStruct * (p.after + 1);
	}

	/** Structs inside [from, to) and how many of them are live, stopping once `enough` have been seen. */
	census(from: number, to: number, enough: number): { visited: number; live: number } {
		let visited = 0;
		let live = 0;
		const k = this.known;
		const upTo = Math.min(to, this.state);
		if (from < upTo) {
			let i = indexAt((j) => k[j]!.id.clock, (j) => k[j]!.id.clock + k[j]!.length, k.length, from);
			for (; i >= 0 && i < k.length && k[i]!.id.clock < upTo && visited < enough; i++) {
				visited++;
				if (!k[i]!.deleted) live++;
			}
		}
		const inc = this.incoming;
		const start = Math.max(from, this.state);
		if (start < to) {
			let i = indexAt((j) => inc[j]!.start, (j) => inc[j]!.end, inc.length, start);
			for (; i >= 0 && i < inc.length && inc[i]!.start < to && visited < enough; i++) {
				visited++;
				if (!inc[i]!.gc) live++;
			}
		}
		return { visited, live };
	}
}

const idKey = (id: Y.ID) => `${id.client}:${id.clock}`;
const sameId = (a: Y.ID | null, b: Y.ID | null) => (a === null ? b === null : b !== null && a.client === b.client && a.clock === b.clock);

/** Where Yjs starts its conflict scan for an item: right after its origin, or at the start of its parent. */
function insertionPlace(item: Y.Item): string {
	if (item.origin) return `after ${idKey(item.origin)}`;
	const parent = item.parent;
	const parentKey = typeof parent === 'string' ? `root ${parent}` : parent instanceof Y.ID ? `in ${idKey(parent)}` : 'unknown';
	return `start of ${parentKey} ${item.parentSub ?? ''}`;
}

class Estimate {
	cost = 0;
	/** Items of the update (and pending) integrated so far. */
	private inserted = 0;
	private readonly views = new Map<number, ClientView>();
	/** Items of this update inserted at the same place so far, and the last one of them. */
	private readonly places = new Map<string, { count: number; last: Y.ID; lastRight: Y.ID | null }>();
	private readonly doc: Y.Doc;
	private readonly w: ApplyCostWeights;

	constructor(doc: Y.Doc, w: ApplyCostWeights) {
		this.doc = doc;
		this.w = w;
	}

	get over(): boolean {
		return this.cost > this.w.budget;
	}

	view(client: number): ClientView {
		let v = this.views.get(client);
		if (!v) {
			v = new ClientView(this.doc.store.clients.get(client) as Struct[] | undefined);
			this.views.set(client, v);
		}
		return v;
	}

	addIncoming(structs: readonly Struct[]): void {
		for (const s of structs) if (!(s instanceof Y.Skip)) this.view(s.id.client).addIncoming(s);
	}

	settle(): void {
		for (const v of this.views.values()) v.settle();
	}

	/** Splits an insert causes at its neighbours, and the conflict scan it may run. */
	insert(s: Struct): void {
		this.cost += this.w.struct;
		if (!(s instanceof Y.Item)) return;
		if (s.id.clock + s.length <= this.view(s.id.client).state) return; // already known: skipped
		if (s.origin) this.cost += this.view(s.origin.client).cut(s.origin.clock + 1, false, this.w);
		if (s.rightOrigin) this.cost += this.view(s.rightOrigin.client).cut(s.rightOrigin.clock, false, this.w);
		const place = insertionPlace(s);
		const before = this.places.get(place);
		// Yjs finds the place at once when this is typed before the previous one there
		// (its right origin), or shares the previous one's right origin; otherwise it
		// may step past every item inserted there before.
		const quick = before && (sameId(s.rightOrigin, before.last) || sameId(s.rightOrigin, before.lastRight));
		if (before && !quick) this.cost += this.w.conflictStep * before.count;
		this.places.set(place, { count: (before?.count ?? 0) + 1, last: s.id, lastRight: s.rightOrigin });
		this.cost += this.w.conflictStep * this.scanSteps(s);
		this.inserted++;
	}

	private existingItem(id: Y.ID): Y.Item | null {
		return this.view(id.client).itemAt(id.clock);
	}

	/**
	 * Steps of Yjs's conflict scan over the items the document already holds
	 * after the origin, walked read-only as Yjs would: past items inserted at
	 * the same place and items that follow those, up to the right origin. An
	 * insert with no right origin in the middle of a text walks to its end.
	 */
	private scanSteps(s: Y.Item): number {
		if (!s.origin) return 0;
		const start = this.existingItem(s.origin);
		if (!start) return 0;
		const stopAt = s.rightOrigin ? this.existingItem(s.rightOrigin) : null;
		let steps = 0;
		// The origin inside an item: unless the right origin is the very next
		// character, the scan walks the rest of that item, which earlier splits
		// and inserts of this update may have cut into as many pieces as there
		// were (no honest client inserts inside an item without its right origin).
		if (s.origin.clock < start.id.clock + start.length - 1) {
			if (s.rightOrigin && s.rightOrigin.client === s.origin.client && s.rightOrigin.clock === s.origin.clock + 1) return 0;
			steps += this.view(s.origin.client).splitCount + this.inserted;
			if (stopAt === start) return steps;
		}
		const limit = (this.w.budget - this.cost) / Math.max(1, this.w.conflictStep) + 1;
		const seen = new Set<Y.Item>([start]);
		for (let o = start.right; o !== null && o !== stopAt && steps < limit; o = o.right) {
			steps++;
			if (!sameId(o.origin, s.origin)) {
				const from = o.origin ? this.existingItem(o.origin) : null;
				if (!from || !seen.has(from)) break;
			}
			seen.add(o);
		}
		return steps;
	}

	deleteRange(client: number, clock: number, len: number): void {
		this.cost += this.w.deleteRange;
		const v = this.view(client);
		const end = Math.min(clock + len, v.end);
		if (clock >= end) return; // nothing there yet: Yjs keeps it pending
		this.cost += v.cut(clock, true, this.w) + v.cut(end, true, this.w);
		if (this.over) return;
		const perStruct = this.w.visitedStruct + this.w.deletedItem;
		const enough = Math.ceil((this.w.budget - this.cost) / Math.max(1, this.w.visitedStruct)) + 1;
		const { visited, live } = v.census(clock, end, enough);
		this.cost += visited * this.w.visitedStruct + live * (perStruct - this.w.visitedStruct);
	}

	/** Whether the document's waiting structs would be retried once this update's structs are in. */
	unlocksPending(): boolean {
		const pending = this.doc.store.pendingStructs;
		if (!pending) return false;
		for (const [client, clock] of pending.missing) if (clock < this.view(client).end) return true;
		return false;
	}
}

/** The item of the document holding `id`, if it is an item (a binary search, like Yjs's findIndexSS, without allocating). */
function itemHolding(doc: Y.Doc, id: Y.ID): Y.Item | null {
	const structs = doc.store.clients.get(id.client);
	if (!structs) return null;
	let lo = 0;
	let hi = structs.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >>> 1;
		const s = structs[mid]!;
		if (s.id.clock > id.clock) hi = mid - 1;
		else if (s.id.clock + s.length <= id.clock) lo = mid + 1;
		else return s instanceof Y.Item ? s : null;
	}
	return null;
}

/**
 * The cost of the commonest update, a keystroke: one item that continues
 * its client's clock, placed between two neighbours that are whole items
 * next to each other (so nothing is split and Yjs's conflict scan takes no
 * step), with no deletions and nothing waiting in the document. What the
 * full estimate would find for it (one struct's integration), worked out
 * without building its views; null for any other shape.
 */
export function keystrokeCost(doc: Y.Doc, update: Decoded, w: ApplyCostWeights): number | null {
	if (update.structs.length !== 1 || update.ds.clients.size > 0) return null;
	if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return null;
	const s = update.structs[0]!;
	if (!(s instanceof Y.Item) || s.id.clock !== Y.getState(doc.store, s.id.client)) return null;
	// Left neighbour: the origin must be the last character of its item (no split after it).
	let left: Y.Item | null = null;
	if (s.origin) {
		left = itemHolding(doc, s.origin);
		if (!left || left.id.clock + left.length !== s.origin.clock + 1) return null;
	}
	// Right neighbour: the right origin must start its item (no split before it).
	let right: Y.Item | null = null;
	if (s.rightOrigin) {
		right = itemHolding(doc, s.rightOrigin);
		if (!right || right.id.clock !== s.rightOrigin.clock) return null;
	}
	// With an origin, the scan starts at its right and stops at the right origin: no step when they are the same item.
	if (left && left.right !== right) return null;
	return w.struct;
}

const refused = (cost: number): CostVerdict => ({
	ok: false,
	cost,
	reason: 'The update would take too much work to apply (too many splits or deletions at once).'
});

/**
 * Estimates the cost of applying `update` (already decoded) to `doc`,
 * including the document's own waiting pieces it would bring in: pending
 * structs it unlocks and the pending delete set Yjs retries on every update.
 */
export function estimateApplyCost(doc: Y.Doc, update: Decoded, w: ApplyCostWeights): CostVerdict {
	const quick = keystrokeCost(doc, update, w);
	return quick !== null ? { ok: true, cost: quick } : fullApplyCost(doc, update, w);
}

/** The estimate worked out in full, whatever the update's shape. */
export function fullApplyCost(doc: Y.Doc, update: Decoded, w: ApplyCostWeights): CostVerdict {
	const e = new Estimate(doc, w);
	e.addIncoming(update.structs);
	e.settle();
	const pendingStructs = e.unlocksPending() ? Y.decodeUpdateV2(doc.store.pendingStructs!.update) : null;
	if (pendingStructs) {
		e.addIncoming(pendingStructs.structs);
		e.settle();
	}
	const pendingDs = doc.store.pendingDs ? Y.decodeUpdateV2(doc.store.pendingDs).ds : null;
	for (const structs of [update.structs, pendingStructs?.structs ?? []]) {
		for (const s of structs) {
			e.insert(s);
			if (e.over) return refused(e.cost);
		}
	}
	for (const ds of pendingDs ? [update.ds, pendingDs] : [update.ds]) {
		for (const [client, ranges] of ds.clients) {
			for (const r of ranges) {
				e.deleteRange(client, r.clock, r.len);
				if (e.over) return refused(e.cost);
			}
		}
	}
	return { ok: true, cost: e.cost };
}
