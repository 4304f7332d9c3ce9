/**
 * The card the coach is showing to the coachees of a live session: live state
 * only (one card per session, gone when the session empties). `ShownCards` is
 * the interface; `localCards()` keeps them in this process (one instance),
 * `redisCards(cluster)` (cards-redis.ts) in Redis, so a person on any
 * instance sees the same card.
 */
import type { ShownCard } from '../../shared/protocol/prompts.ts';

export interface ShownCards {
	get(sessionId: string): Promise<ShownCard | null>;
	/** Shows a card, replacing whatever card was up before. */
	show(sessionId: string, card: ShownCard): Promise<void>;
	/** Takes the card down; null when there was none. */
	clear(sessionId: string): Promise<ShownCard | null>;
	/** Notes that a coachee put the card away; null when that card is no longer up. */
	dismiss(sessionId: string, cardId: string, who: { userId: string; name: string }, at: number): Promise<ShownCard | null>;
	dismissedBy(sessionId: string, userId: string): Promise<boolean>;
}

export function localCards(): ShownCards {
	const bySession = new Map<string, ShownCard>();
	return {
		async get(sessionId) {
			return bySession.get(sessionId) ?? null;
		},
		async show(sessionId, card) {
			bySession.set(sessionId, card);
		},
		async clear(sessionId) {
			const before = bySession.get(sessionId) ?? null;
			bySession.delete(sessionId);
			return before;
		},
		async dismiss(sessionId, cardId, who, at) {
			const card = bySession.get(sessionId);
			if (!card || card.cardId !== cardId) return null;
			if (!card.dismissedBy.some((d) => d.userId === who.userId)) card.dismissedBy.push({ ...who, at });
			return card;
		},
		async dismissedBy(sessionId, userId) {
			return bySession.get(sessionId)?.dismissedBy.some((d) => d.userId === userId) ?? false;
		}
	};
}
