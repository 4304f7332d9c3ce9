// Words as the prompt search sees them: how text splits into words, and how
// well a vocabulary word answers a word the coach typed (exactly, as its
// start, or within a typo).

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
export function matchTier(queryTerm: string, docTerm: string): number {
	if (docTerm === queryTerm) return 3;
	if (docTerm.startsWith(queryTerm)) return 2;
	return withinDistance(queryTerm, docTerm, typoDistance(queryTerm)) ? 1 : 0;
}

/** Levenshtein distance of at most `max`. */
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
