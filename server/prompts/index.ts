/**
 * The coach's prompt panel on the server. Offers:
 * - `createPrompts(deps)`: adds the panel's socket events (coach-only, except
 *   the coachee's card) to the session rooms;
 * - `prompts.askedIn(sessionId)`: the prompts marked as asked in a session,
 *   in the order they were asked, as they read then (for the summary).
 * The library and the search run in the coach's browser (shared/prompts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Logger } from '../log/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Rooms } from '../rooms/index.ts';
import type { AskedPrompt } from '../../shared/protocol/prompts.ts';
import { createPromptStore } from './store.ts';
import type { Cluster } from '../cluster/index.ts';
import { localCards } from './cards.ts';
import { redisCards } from './cards-redis.ts';
import { registerPromptEvents } from './events.ts';

export interface Prompts {
	/** Prompts marked as asked in the session, oldest first: `{ promptId, text, phase, askedAt }`. */
	askedIn(sessionId: string): Promise<AskedPrompt[]>;
}

export function createPrompts(deps: { db: Kysely<Database>; rooms: Rooms; engagements: Engagements; log: Logger; cluster?: Cluster | null }): Prompts {
	const log = deps.log.child({ feature: 'prompts' });
	const store = createPromptStore(deps.db);
	// With several instances the card lives in Redis, so a coachee on any instance sees it.
	const cards = deps.cluster ? redisCards(deps.cluster) : localCards();
	registerPromptEvents({ rooms: deps.rooms, engagements: deps.engagements, store, cards, log });
	// A card is live state: it goes when the last person leaves.
	deps.rooms.events.on('empty', (sessionId) => void cards.clear(sessionId).catch((err: unknown) => log.warn({ err, session: sessionId }, 'shown card not cleared; it expires by itself')));
	return {
		askedIn: (sessionId) => store.askedIn(sessionId)
	};
}
