/**
 * Replaces who a supervision note is about with labels before it leaves the
 * app: each coachee's email address, full name and each part of it, the
 * client's organisation, and the sponsor's name, address and organisation.
 * Names are matched as whole words, without regard to case or accents'
 * composition, so "Sam's" becomes "Client 3's" and "Samantha" stays. A
 * common word that is also someone's name is replaced too: in a note for a
 * supervisor, too much hidden is the safe side.
 */
export interface Identity {
	/** What replaces the terms, e.g. "Client 3" or "Client 3's sponsor". */
	label: string;
	names: string[];
	emails: string[];
	/** Replaced whole, never split into words (an organisation, a sponsor's organisation). */
	phrases: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const norm = (s: string) => s.normalize('NFC').trim();

interface Term {
	text: string;
	label: string;
	wholeWord: boolean;
}

function termsOf(people: Identity[]): Term[] {
	const terms: Term[] = [];
	const add = (text: string, label: string, wholeWord: boolean) => {
		const t = norm(text);
		if (t.length >= 2) terms.push({ text: t, label, wholeWord });
	};
	for (const p of people) {
		for (const e of p.emails) add(e, `${p.label} (email withheld)`, false);
		for (const ph of p.phrases) add(ph, p.label, true);
		for (const n of p.names) {
			add(n, p.label, true);
			// "Samantha-Jo Ríos": also "Samantha-Jo", "Ríos", "Samantha" and "Jo" alone.
			for (const word of norm(n).split(/\s+/u)) {
				add(word, p.label, true);
				for (const part of word.split('-')) add(part, p.label, true);
			}
		}
	}
	// Addresses first (so the name inside one goes with it), then longest first: "Sam Coachee" whole before "Sam" alone.
	return terms.sort((a, b) => Number(a.wholeWord) - Number(b.wholeWord) || b.text.length - a.text.length);
}

/**
 * One pass over the text with every term as one alternation, so a label put
 * in ("Client 3's sponsor") is never itself matched again by a later term
 * (a sponsor whose surname is Sponsor).
 */
export function redact(text: string, people: Identity[]): string {
	const terms = termsOf(people);
	if (terms.length === 0) return text.normalize('NFC');
	const pattern = terms.map((t) => (t.wholeWord ? `(?<![\\p{L}\\p{N}_])${escape(t.text)}(?![\\p{L}\\p{N}_])` : escape(t.text))).join('|');
	const labelOf = (found: string) => terms.find((t) => new RegExp(`^${escape(t.text)}$`, 'iu').test(found))?.label ?? '[withheld]';
	return text.normalize('NFC').replace(new RegExp(pattern, 'giu'), labelOf);
}
