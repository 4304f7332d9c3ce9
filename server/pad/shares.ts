/**
 * What one person may take of a live document: their share of its
 * connections (limits.pad.maxConnectionsPerUser; their own oldest goes for
 * their newest, so nobody's flood closes someone else), and the bytes of
 * full-state answers (sync step 2, awareness queries) the server sends them,
 * from a bucket that refills over time. Tiny requests for the whole
 * document are cheap to send and costly to answer; the bucket is kept per
 * person and document, so reconnecting does not refill it.
 */
import { limits } from '../config/index.ts';

export interface AnswerBudget {
	/** Bytes a person may be sent at once (a few whole documents). */
	burstBytes: number;
	/** Bytes given back per second. */
	bytesPerSecond: number;
}

export const answerBudget: AnswerBudget = { burstBytes: limits.pad.answerBurstBytes, bytesPerSecond: limits.pad.answerBytesPerSecond };

export class AnswerBuckets {
	private readonly buckets = new Map<string, { bytes: number; at: number }>();
	private readonly budget: AnswerBudget;
	private readonly now: () => number;

	constructor(budget: AnswerBudget = answerBudget, now: () => number = Date.now) {
		this.budget = budget;
		this.now = now;
	}

	private bucket(key: string) {
		const now = this.now();
		let b = this.buckets.get(key);
		if (!b) this.buckets.set(key, (b = { bytes: this.budget.burstBytes, at: now }));
		b.bytes = Math.min(this.budget.burstBytes, b.bytes + ((now - b.at) / 1000) * this.budget.bytesPerSecond);
		b.at = now;
		return b;
	}

	/** True when `key` may be sent about `bytes` now (checked before the answer is built). */
	affords(key: string, bytes: number): boolean {
		return this.bucket(key).bytes >= Math.min(bytes, this.budget.burstBytes);
	}

	/** Takes what an answer cost. */
	charge(key: string, bytes: number): void {
		this.bucket(key).bytes -= bytes;
	}
}

export interface SharedPeer {
	readonly userId?: string;
}

/**
 * Which open connections to close so a newcomer of `userId` fits, or null
 * when it does not fit at all. `peers` is in the order they opened (oldest
 * first). Past their share, a person's own oldest goes; a full document
 * makes room by closing the oldest connection of whoever holds the most
 * (more than one), never anyone's last connection.
 */
export function makeRoom<P extends SharedPeer>(peers: Iterable<P>, userId: string, bounds: { perUser: number; perDoc: number } = { perUser: limits.pad.maxConnectionsPerUser, perDoc: limits.pad.maxConnectionsPerDoc }): P[] | null {
	const byUser = new Map<string, P[]>();
	let total = 0;
	for (const p of peers) {
		const list = byUser.get(p.userId ?? '');
		if (list) list.push(p);
		else byUser.set(p.userId ?? '', [p]);
		total++;
	}
	const own = byUser.get(userId) ?? [];
	const close: P[] = own.slice(0, Math.max(0, own.length - bounds.perUser + 1));
	total -= close.length;
	if (total < bounds.perDoc) return close;
	// Full: the newcomer's own oldest left goes first, else one of whoever holds the most.
	const ownLeft = own.slice(close.length);
	if (ownLeft.length > 0) return [...close, ownLeft[0]!];
	let most: P[] = [];
	for (const list of byUser.values()) if (list.length > most.length) most = list;
	return most.length >= 2 ? [...close, most[0]!] : null;
}
