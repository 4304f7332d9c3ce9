// Search over the prompt library and a coach's own prompts. It runs in the
// coach's browser on every keystroke, so it stays in memory and is updated
// prompt by prompt rather than rebuilt.
import MiniSearch from 'minisearch';
import type { SearchResult } from 'minisearch';
import type { Prompt, PromptPhase, PromptTheme } from './index.ts';

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

/** Letters and digits only, lower case, accents and apostrophes dropped. */
export function tokenizePrompt(text: string): string[] {
	return text
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.toLocaleLowerCase('en')
		.replace(/['\u2019]s(?![\p{L}\p{N}])/gu, '') // "coach's" finds "coach"
		.replace(/(?<=\p{L})['\u2019](?=\p{L})/gu, '') // "don't" stays one word
		.split(/[^\p{L}\p{N}]+/u)
		.filter((term) => term.length > 0);
}

// A typo is one wrong letter in a word of 4+ letters, two in a word of 8+;
// shorter words only match exactly or as the start of a longer word.
function typoDistance(term: string): number {
	if (term.length >= 8) return 2;
	if (term.length >= 4) return 1;
	return 0;
}

/** 3 exact, 2 prefix, 1 typo, 0 unrelated: how `docTerm` answers `queryTerm`. */
function matchTier(queryTerm: string, docTerm: string): number {
	if (docTerm === queryTerm) return 3;
	if (docTerm.startsWith(queryTerm)) return 2;
	return withinDistance(queryTerm, docTerm, typoDistance(queryTerm)) ? 1 : 0;
}

/** Levenshtein distance of at most `max`, the measure MiniSearch's fuzzy search uses. */
function withinDistance(a: string, b: string, max: number): boolean {
	if (max === 0 || Math.abs(a.length - b.length) > max) return false;
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		let rowMin = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
			current.push(value);
			rowMin = Math.min(rowMin, value);
		}
		if (rowMin > max) return false;
		previous = current;
	}
	return previous[b.length]! <= max;
}

const TIER_MATCH: readonly PromptMatch[] = ['none', 'typo', 'prefix', 'exact'];

// Words shorter than this are what a coach has typed so far of a longer
// word: "w" or "wh" starts hundreds of words, and asking the index to expand
// them costs several milliseconds a keystroke. They are matched as prefixes
// against each prompt's own word list instead: alone they find prompts by
// scanning; next to a longer word they only refine what that word found.
const SHORT_TERM = 3;

interface Entry {
	prompt: Prompt;
	/** Position in the library, then in the order custom prompts were added. */
	readonly seq: number;
	readonly custom: boolean;
	/** Distinct words of the text and tags, for short-word matching. */
	words: readonly string[];
	/** Distinct words only the mentoring version has. */
	asideWords: readonly string[];
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

/** 3 when `words` has `term` itself, 2 when a word starts with it, else 0. */
function shortTier(term: string, words: readonly string[]): number {
	let tier = 0;
	for (const word of words) {
		if (word === term) return 3;
		if (tier === 0 && word.startsWith(term)) tier = 2;
	}
	return tier;
}

export class PromptSearchIndex {
	readonly #engine: MiniSearch<Prompt>;
	readonly #tagsOf: (prompt: Prompt) => string;
	readonly #entries = new Map<string, Entry>();
	readonly #favourites: Set<string>;
	readonly #phaseRank: ReadonlyMap<PromptPhase, number>;
	#nextSeq = 0;
	#ordered: Entry[] | undefined;

	constructor(library: readonly Prompt[], options: PromptSearchOptions) {
		this.#phaseRank = new Map(options.phaseOrder.map((phase, rank) => [phase, rank]));
		this.#favourites = new Set(options.favourites ?? []);
		const tagsOf = options.tagsOf ?? ((prompt: Prompt) => [prompt.phase, ...prompt.themes].join(' '));
		this.#tagsOf = tagsOf;
		this.#engine = new MiniSearch<Prompt>({
			fields: ['text', 'tags', 'mentoring'],
			extractField: (prompt, field) => (field === 'tags' ? tagsOf(prompt) : prompt[field as keyof Prompt]),
			tokenize: tokenizePrompt,
			processTerm: (term) => term,
			searchOptions: {
				boost: FIELD_BOOST,
				prefix: true,
				fuzzy: (term) => typoDistance(term),
				combineWith: 'OR'
			}
		});
		for (const prompt of library) this.#insert(prompt, false);
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
		this.#insert(prompt, true);
	}

	/** Replaces a custom prompt's text, phase or themes; it keeps its place. */
	updateCustom(prompt: Prompt): void {
		const entry = this.#customEntry(prompt.id);
		this.#engine.replace(prompt);
		if (entry.prompt.phase !== prompt.phase) this.#ordered = undefined;
		entry.prompt = prompt;
		Object.assign(entry, this.#wordsOf(prompt));
	}

	removeCustom(id: string): void {
		this.#customEntry(id);
		// discard() only needs the id and cleans up lazily, so removal stays cheap.
		this.#engine.discard(id);
		this.#entries.delete(id);
		this.#ordered = undefined;
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
		const long = terms.filter((term) => term.length >= SHORT_TERM);
		const short = terms.filter((term) => term.length < SHORT_TERM);

		const ranked: Ranked[] = [];
		if (long.length === 0) {
			for (const entry of this.#entries.values()) {
				if (!accepts(entry)) continue;
				const r = this.#rankShort(entry, short, undefined);
				if (r) ranked.push(r);
			}
		} else {
			// The same few document words recur across results: judge each once.
			const tiers = new Map<string, Map<string, number>>();
			for (const result of this.#engine.search(long.join(' '))) {
				const entry = this.#entries.get(result.id as string);
				if (!entry || !accepts(entry)) continue;
				const r = this.#rank(entry, result, tiers);
				ranked.push(short.length === 0 ? r : this.#rankShort(entry, short, r)!);
			}
		}
		ranked.sort(byRank);
		return ranked.slice(0, limit).map((r) => ({
			prompt: r.entry.prompt,
			score: r.score,
			match: r.match,
			favourite: r.favourite,
			custom: r.entry.custom
		}));
	}

	#wordsOf(prompt: Prompt): Pick<Entry, 'words' | 'asideWords'> {
		const words = new Set([...tokenizePrompt(prompt.text), ...tokenizePrompt(this.#tagsOf(prompt))]);
		const asideWords = new Set(tokenizePrompt(prompt.mentoring ?? '').filter((word) => !words.has(word)));
		return { words: [...words], asideWords: [...asideWords] };
	}

	// Short words add to a ranking the index made (`base`), or make one by
	// themselves; the tiers mean the same as in #rank. Without a base, a
	// prompt none of the short words starts is left out (undefined).
	#rankShort(entry: Entry, short: readonly string[], base: Ranked | undefined): Ranked | undefined {
		let { covered, exact, prefix, aside } = base ?? { covered: 0, exact: 0, prefix: 0, aside: 0 };
		let strongest = base ? TIER_MATCH.indexOf(base.match) : 0;
		let found = false;
		for (const term of short) {
			const primary = shortTier(term, entry.words);
			const tier = primary || shortTier(term, entry.asideWords);
			if (tier === 0) continue;
			found = true;
			if (primary === 0) aside++;
			else covered++;
			if (primary === 3) exact++;
			if (primary === 2) prefix++;
			strongest = Math.max(strongest, tier);
		}
		if (base) return { ...base, covered, exact, prefix, aside, match: TIER_MATCH[strongest] ?? base.match };
		if (!found) return undefined;
		const favourite = this.#favourites.has(entry.prompt.id);
		// No relevance score without the index: favourites first among equals, then session order.
		const score = favourite ? FAVOURITE_BOOST : 1;
		const order = this.#phaseOf(entry) * SEQ_SPAN + entry.seq;
		return { entry, score, covered, exact, prefix, aside, match: TIER_MATCH[strongest] ?? 'prefix', favourite, order };
	}

	#insert(prompt: Prompt, custom: boolean): void {
		this.#engine.add(prompt);
		this.#entries.set(prompt.id, { prompt, seq: this.#nextSeq++, custom, ...this.#wordsOf(prompt) });
		this.#ordered = undefined;
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

	// MiniSearch scores exact, prefix and typo matches on one scale, where a
	// rare word matched by a typo can outscore a common word matched exactly.
	// Coaches expect the word they typed to come first, so the kind of match
	// is ranked before the score. Words found only in the mentoring version
	// count last: the coach sees the prompt's own text first.
	#rank(entry: Entry, result: SearchResult, tiers: Map<string, Map<string, number>>): Ranked {
		let covered = 0;
		let exact = 0;
		let prefix = 0;
		let aside = 0;
		let strongest = 0;
		// MiniSearch lists each matched query word once.
		for (const queryTerm of result.queryTerms) {
			let known = tiers.get(queryTerm);
			if (!known) tiers.set(queryTerm, (known = new Map()));
			let primary = 0;
			let any = 0;
			for (const docTerm in result.match) {
				let tier = known.get(docTerm);
				if (tier === undefined) known.set(docTerm, (tier = matchTier(queryTerm, docTerm)));
				if (tier === 0) continue; // found by another word of the query
				any = Math.max(any, tier);
				const fields = result.match[docTerm]!;
				if (fields.includes('text') || fields.includes('tags')) primary = Math.max(primary, tier);
			}
			if (primary === 0) aside++;
			else covered++;
			if (primary === 3) exact++;
			if (primary === 2) prefix++;
			strongest = Math.max(strongest, primary || any);
		}
		const favourite = this.#favourites.has(entry.prompt.id);
		const match = TIER_MATCH[strongest] ?? 'typo';
		const score = result.score * (favourite ? FAVOURITE_BOOST : 1);
		const order = this.#phaseOf(entry) * SEQ_SPAN + entry.seq;
		return { entry, score, covered, exact, prefix, aside, match, favourite, order };
	}
}
