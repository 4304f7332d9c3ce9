// Search over the prompt library and a coach's own prompts. It runs in the
// coach's browser on every keystroke, so it stays in memory and is updated
// prompt by prompt rather than rebuilt.
//
// A small inverted index written for this: a word list per prompt, postings
// per word, and per query word the matching words of the vocabulary (exact,
// prefix, or within a typo's distance), remembered while the coach types on.
// A general engine (MiniSearch, used before) scored every match of a broad
// query such as "what would you" in full and took 5-10 ms a keystroke over
// 1,200 prompts; here the work is a pass over the vocabulary per new query
// word and a pass over the postings, and only the best `limit` are sorted.
import type { Prompt, PromptPhase, PromptTheme } from './index.ts';
import { matchTier, tokenizePrompt } from './words.ts';

export { tokenizePrompt } from './words.ts';

/** How the best query word matched: 'none' when the query was empty. */
export type PromptMatch = 'exact' | 'prefix' | 'typo' | 'none';

export interface PromptHit {
	readonly prompt: Prompt;
	readonly score: number;
	readonly match: PromptMatch;
	readonly favourite: boolean;
	readonly custom: boolean;
}

export interface PromptFilter {
	/** Only prompts of this phase, or of any of these phases. */
	readonly phase?: PromptPhase | readonly PromptPhase[];
	/** Only prompts having at least one of these themes. */
	readonly themes?: readonly PromptTheme[];
	readonly favouritesOnly?: boolean;
	readonly limit?: number;
}

export interface PromptSearchOptions {
	/** Phases in session order: the order of an empty search. */
	readonly phaseOrder: readonly PromptPhase[];
	readonly favourites?: Iterable<string>;
	/** Words that describe a prompt beyond its text (phase and theme names). */
	readonly tagsOf?: (prompt: Prompt) => string;
}

// Enough to lift a favourite above an otherwise equal prompt, not enough to
// lift it over a prompt that matches the query better.
const FAVOURITE_BOOST = 1.2;

// The prompt's own words count most; tags let "confidence" find prompts
// about confidence that never use the word.
const FIELD_BOOST = { text: 2, tags: 1, mentoring: 0.5 };
const TEXT = 1;
const TAGS = 2;
const MENTORING = 4;
const PRIMARY = TEXT | TAGS;

// A prefix or a typo says less about what the coach meant than the word itself.
const TIER_WEIGHT = [0, 0.4, 0.6, 1];

// Words shorter than this are what a coach has typed so far of a longer
// word: "w" starts hundreds of words. They match only as prefixes, never
// with a typo, and next to a longer word they only refine what it found.
const SHORT_TERM = 3;

// Query words whose vocabulary matches are remembered while the coach types:
// typing "what would you like" looks "what" and "would" up once, not per key.
const TERM_CACHE_SIZE = 256;

const TIER_MATCH: readonly PromptMatch[] = ['none', 'typo', 'prefix', 'exact'];

interface Entry {
	prompt: Prompt;
	/** Its place in the posting lists and the per-search arrays. */
	readonly slot: number;
	/** Position in the library, then in the order custom prompts were added. */
	readonly seq: number;
	readonly custom: boolean;
	/** Distinct words of all fields, to take its postings out again. */
	words: readonly string[];
}

/** One prompt containing one word: in which fields, and how much it weighs there. */
interface Posting {
	readonly slot: number;
	readonly fields: number;
	readonly weight: number;
}

/** A vocabulary word answering a query word, and how well. */
interface WordMatch {
	readonly postings: Posting[];
	readonly tier: number;
}

interface Ranked {
	readonly entry: Entry;
	readonly score: number;
	readonly covered: number;
	readonly exact: number;
	readonly prefix: number;
	/** Query words found only in the mentoring version. */
	readonly aside: number;
	readonly match: PromptMatch;
	readonly favourite: boolean;
	/** Session order: phase, then position. */
	readonly order: number;
}

// Room for this many prompts per phase in `Ranked.order`.
const SEQ_SPAN = 1e9;

function byRank(a: Ranked, b: Ranked): number {
	return (
		b.covered - a.covered ||
		b.exact - a.exact ||
		b.prefix - a.prefix ||
		b.aside - a.aside ||
		b.score - a.score ||
		a.order - b.order
	);
}

/** The best `limit` of `ranked`, best first, without sorting the rest. */
function best(ranked: readonly Ranked[], limit: number): Ranked[] {
	if (ranked.length <= limit) return [...ranked].sort(byRank);
	const top: Ranked[] = [];
	for (const r of ranked) {
		if (top.length === limit && byRank(r, top[limit - 1]!) >= 0) continue;
		let lo = 0;
		let hi = top.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (byRank(top[mid]!, r) <= 0) lo = mid + 1;
			else hi = mid;
		}
		top.splice(lo, 0, r);
		if (top.length > limit) top.pop();
	}
	return top;
}

export class PromptSearchIndex {
	readonly #tagsOf: (prompt: Prompt) => string;
	readonly #entries = new Map<string, Entry>();
	readonly #bySlot: (Entry | undefined)[] = [];
	readonly #postings = new Map<string, Posting[]>();
	readonly #favourites: Set<string>;
	readonly #phaseRank: ReadonlyMap<PromptPhase, number>;
	readonly #termCache = new Map<string, WordMatch[]>();
	#nextSeq = 0;
	#ordered: Entry[] | undefined;

	constructor(library: readonly Prompt[], options: PromptSearchOptions) {
		this.#phaseRank = new Map(options.phaseOrder.map((phase, rank) => [phase, rank]));
		this.#favourites = new Set(options.favourites ?? []);
		this.#tagsOf = options.tagsOf ?? ((prompt: Prompt) => [prompt.phase, ...prompt.themes].join(' '));
		for (const prompt of library) this.#insert(prompt, false, this.#nextSeq++);
	}

	get size(): number {
		return this.#entries.size;
	}

	has(id: string): boolean {
		return this.#entries.has(id);
	}

	get(id: string): Prompt | undefined {
		return this.#entries.get(id)?.prompt;
	}

	addCustom(prompt: Prompt): void {
		if (this.#entries.has(prompt.id)) throw new Error(`A prompt with id ${prompt.id} is already indexed.`);
		this.#insert(prompt, true, this.#nextSeq++);
	}

	/** Replaces a custom prompt's text, phase or themes; it keeps its place. */
	updateCustom(prompt: Prompt): void {
		const entry = this.#customEntry(prompt.id);
		this.#unindex(entry);
		this.#insert(prompt, true, entry.seq);
	}

	removeCustom(id: string): void {
		this.#unindex(this.#customEntry(id));
	}

	/**
	 * Forgets the vocabulary lookups remembered for earlier query words, as a
	 * fresh panel would; the benchmark times every query from this cold start.
	 */
	forgetLookups(): void {
		this.#termCache.clear();
	}

	setFavourite(id: string, favourite: boolean): void {
		if (favourite) this.#favourites.add(id);
		else this.#favourites.delete(id);
	}

	isFavourite(id: string): boolean {
		return this.#favourites.has(id);
	}

	/**
	 * Prompts matching the query, best first: more query words matched, then
	 * more exact words, then more prefixes, then relevance (favourites slightly
	 * raised). An empty query lists the filtered prompts in session order.
	 */
	search(query: string, filter: PromptFilter = {}): PromptHit[] {
		const accepts = this.#filterFor(filter);
		const terms = [...new Set(tokenizePrompt(query))];
		const limit = filter.limit ?? Number.POSITIVE_INFINITY;
		if (terms.length === 0) return this.#browse(accepts, limit);
		const ranked = this.#match(terms, accepts);
		return best(ranked, limit).map((r) => ({
			prompt: r.entry.prompt,
			score: r.score,
			match: r.match,
			favourite: r.favourite,
			custom: r.entry.custom
		}));
	}

	// Per query word, the best tier in the prompt's text or tags (primary) and
	// in any field; relevance adds up over words. Arrays indexed by slot keep
	// this to one pass over the postings of the matching words.
	#match(terms: readonly string[], accepts: (entry: Entry) => boolean): Ranked[] {
		const slots = this.#bySlot.length;
		const count = terms.length;
		const primary = new Uint8Array(slots * count);
		const any = new Uint8Array(slots * count);
		const score = new Float64Array(slots);
		const found: number[] = [];
		const seen = new Uint8Array(slots);
		const hasLong = terms.some((term) => term.length >= SHORT_TERM);
		const total = this.#entries.size;

		// With a longer word in the query, a short one only refines what the
		// longer ones found, so those go first.
		const finders = terms.map((term, t) => ({ term, t, finds: !hasLong || term.length >= SHORT_TERM }));
		finders.sort((a, b) => Number(b.finds) - Number(a.finds));
		for (const { term, t, finds } of finders) {
			for (const { postings, tier } of this.#wordsMatching(term)) {
				const weight = TIER_WEIGHT[tier]! * Math.log(1 + total / postings.length);
				for (const { slot, fields, weight: fieldWeight } of postings) {
					if (!seen[slot]) {
						if (!finds) continue;
						seen[slot] = 1;
						found.push(slot);
					}
					const at = slot * count + t;
					if (fields & PRIMARY && tier > primary[at]!) primary[at] = tier;
					if (tier > any[at]!) any[at] = tier;
					score[slot]! += weight * fieldWeight;
				}
			}
		}

		const ranked: Ranked[] = [];
		for (const slot of found) {
			const entry = this.#bySlot[slot];
			if (!entry || !accepts(entry)) continue;
			let covered = 0;
			let exact = 0;
			let prefix = 0;
			let aside = 0;
			let strongest = 0;
			for (let t = 0; t < count; t++) {
				const p = primary[slot * count + t]!;
				const a = any[slot * count + t]!;
				if (p > 0) covered++;
				else if (a > 0) aside++;
				if (p === 3) exact++;
				if (p === 2) prefix++;
				strongest = Math.max(strongest, p || a);
			}
			const favourite = this.#favourites.has(entry.prompt.id);
			ranked.push({
				entry,
				score: score[slot]! * (favourite ? FAVOURITE_BOOST : 1),
				covered,
				exact,
				prefix,
				aside,
				match: TIER_MATCH[strongest] ?? 'typo',
				favourite,
				order: this.#phaseOf(entry) * SEQ_SPAN + entry.seq
			});
		}
		return ranked;
	}

	/** Vocabulary words answering a query word, remembered until the index changes. */
	#wordsMatching(term: string): WordMatch[] {
		const known = this.#termCache.get(term);
		if (known) return known;
		const matches: WordMatch[] = [];
		const short = term.length < SHORT_TERM;
		for (const [word, postings] of this.#postings) {
			const tier = short ? (word === term ? 3 : word.startsWith(term) ? 2 : 0) : matchTier(term, word);
			if (tier > 0) matches.push({ postings, tier });
		}
		if (this.#termCache.size >= TERM_CACHE_SIZE) this.#termCache.clear();
		this.#termCache.set(term, matches);
		return matches;
	}

	#insert(prompt: Prompt, custom: boolean, seq: number): void {
		const slot = this.#bySlot.length;
		const fields: [number, string[], number][] = [
			[TEXT, tokenizePrompt(prompt.text), FIELD_BOOST.text],
			[TAGS, tokenizePrompt(this.#tagsOf(prompt)), FIELD_BOOST.tags],
			[MENTORING, tokenizePrompt(prompt.mentoring ?? ''), FIELD_BOOST.mentoring]
		];
		// Where each word occurs and how much it weighs: a word counts for more in a short field.
		const byWord = new Map<string, { fields: number; weight: number }>();
		for (const [field, words, boost] of fields) {
			const share = boost / Math.sqrt(Math.max(1, words.length));
			for (const word of words) {
				const known = byWord.get(word) ?? { fields: 0, weight: 0 };
				known.weight += known.fields & field ? share * 0.5 : share;
				known.fields |= field;
				byWord.set(word, known);
			}
		}
		for (const [word, { fields: where, weight }] of byWord) {
			let list = this.#postings.get(word);
			if (!list) this.#postings.set(word, (list = []));
			list.push({ slot, fields: where, weight });
		}
		const entry: Entry = { prompt, slot, seq, custom, words: [...byWord.keys()] };
		this.#bySlot.push(entry);
		this.#entries.set(prompt.id, entry);
		this.#changed();
	}

	#unindex(entry: Entry): void {
		for (const word of entry.words) {
			const list = this.#postings.get(word)?.filter((p) => p.slot !== entry.slot);
			if (list && list.length > 0) this.#postings.set(word, list);
			else this.#postings.delete(word);
		}
		this.#bySlot[entry.slot] = undefined;
		this.#entries.delete(entry.prompt.id);
		this.#changed();
	}

	#changed(): void {
		this.#ordered = undefined;
		this.#termCache.clear();
	}

	#customEntry(id: string): Entry {
		const entry = this.#entries.get(id);
		if (!entry) throw new Error(`No prompt with id ${id} is indexed.`);
		if (!entry.custom) throw new Error(`Prompt ${id} is from the library and cannot be changed.`);
		return entry;
	}

	#filterFor(filter: PromptFilter): (entry: Entry) => boolean {
		const phases = filter.phase === undefined ? undefined : new Set<PromptPhase>([filter.phase].flat());
		const themes = filter.themes && filter.themes.length > 0 ? filter.themes : undefined;
		const favouritesOnly = filter.favouritesOnly === true;
		return ({ prompt }) =>
			(!phases || phases.has(prompt.phase)) &&
			(!themes || themes.some((theme) => prompt.themes.includes(theme))) &&
			(!favouritesOnly || this.#favourites.has(prompt.id));
	}

	#browse(accepts: (entry: Entry) => boolean, limit: number): PromptHit[] {
		const hits: PromptHit[] = [];
		for (const entry of this.#inSessionOrder()) {
			if (hits.length >= limit) break;
			if (!accepts(entry)) continue;
			const favourite = this.#favourites.has(entry.prompt.id);
			hits.push({ prompt: entry.prompt, score: 0, match: 'none', favourite, custom: entry.custom });
		}
		return hits;
	}

	#inSessionOrder(): Entry[] {
		this.#ordered ??= [...this.#entries.values()].sort(
			(a, b) => this.#phaseOf(a) - this.#phaseOf(b) || a.seq - b.seq
		);
		return this.#ordered;
	}

	#phaseOf(entry: Entry): number {
		return this.#phaseRank.get(entry.prompt.phase) ?? this.#phaseRank.size;
	}
}
