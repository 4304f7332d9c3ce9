/**
 * The card the coach is showing to the coachees of a live session: live state
 * only (one card per session, gone when the session empties), kept behind this
 * small registry so several server instances later change one place.
 */
import type { ShownCard } from '../../shared/protocol/prompts.ts';

export class ShownCards {
	readonly #bySession = new Map<string, ShownCard>();

	get(sessionId: string): ShownCard | null {
		return this.#bySession.get(sessionId) ?? null;
	}

	/** Shows a card, replacing whatever card was up before; returns the one replaced. */
	show(sessionId: string, card: ShownCard): ShownCard | null {
		const before = this.get(sessionId);
		this.#bySession.set(sessionId, card);
		return before;
	}

	/** Takes the card down; null when there was none. */
	clear(sessionId: string): ShownCard | null {
		const before = this.get(sessionId);
		this.#bySession.delete(sessionId);
		return before;
	}

	/** Notes that a coachee put the card away; null when that card is no longer up. */
	dismiss(sessionId: string, cardId: string, who: { userId: string; name: string }, at: number): ShownCard | null {
		const card = this.#bySession.get(sessionId);
		if (!card || card.cardId !== cardId) return null;
		if (!card.dismissedBy.some((d) => d.userId === who.userId)) card.dismissedBy.push({ ...who, at });
		return card;
	}

	dismissedBy(sessionId: string, userId: string): boolean {
		return this.#bySession.get(sessionId)?.dismissedBy.some((d) => d.userId === userId) ?? false;
	}
}
