/**
 * Shown cards in Redis for several instances: the card's JSON under one key,
 * who put it away in a hash beside it (so a dismissal is one HSETNX, and a
 * new card or a withdrawal clears both at once). A TTL backs up the clearing
 * when the session empties.
 */
import { limits } from '../config/index.ts';
import type { Cluster } from '../cluster/index.ts';
import type { ShownCard } from '../../shared/protocol/prompts.ts';
import type { ShownCards } from './cards.ts';

/** KEYS: card dismissed; ARGV: cardId userId entryJson ttlMs. The card (without its dismissals) or nil. */
const DISMISS = `
local v = redis.call('GET', KEYS[1])
if not v or cjson.decode(v).cardId ~= ARGV[1] then return false end
redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return v
`;

type Dismissal = ShownCard['dismissedBy'][number];

export function redisCards(cluster: Cluster): ShownCards {
	const redis = cluster.redis;
	const ttl = limits.clusterRooms.shownCardTtlMs;
	const cardKey = (s: string) => `${cluster.keyPrefix}prompts:card:${s}`;
	const dismissedKey = (s: string) => `${cluster.keyPrefix}prompts:card-dismissed:${s}`;
	redis.defineCommand('promptsDismiss', { numberOfKeys: 2, lua: DISMISS });
	const dismissScript = (redis as unknown as { promptsDismiss: (...a: (string | number)[]) => Promise<string | null> }).promptsDismiss.bind(redis);

	async function withDismissals(sessionId: string, json: string | null): Promise<ShownCard | null> {
		if (!json) return null;
		const card = JSON.parse(json) as ShownCard;
		const entries = Object.values(await redis.hgetall(dismissedKey(sessionId))).map((e) => JSON.parse(e) as Dismissal);
		return { ...card, dismissedBy: entries.sort((a, b) => a.at - b.at) };
	}

	return {
		async get(sessionId) {
			return withDismissals(sessionId, await redis.get(cardKey(sessionId)));
		},
		async show(sessionId, card) {
			await redis.multi().set(cardKey(sessionId), JSON.stringify({ ...card, dismissedBy: [] }), 'PX', ttl).del(dismissedKey(sessionId)).exec();
		},
		async clear(sessionId) {
			const before = await this.get(sessionId);
			await redis.del(cardKey(sessionId), dismissedKey(sessionId));
			return before;
		},
		async dismiss(sessionId, cardId, who, at) {
			const json = await dismissScript(cardKey(sessionId), dismissedKey(sessionId), cardId, who.userId, JSON.stringify({ ...who, at }), ttl);
			return withDismissals(sessionId, json);
		},
		async dismissedBy(sessionId, userId) {
			return (await redis.hexists(dismissedKey(sessionId), userId)) === 1;
		}
	};
}
