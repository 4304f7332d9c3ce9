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
	for (const p of people) {
		for (const e of p.emails) if (norm(e)) terms.push({ text: norm(e), label: `${p.label} (email withheld)`, wholeWord: false });
		for (const ph of p.phrases) if (norm(ph).length >= 2) terms.push({ text: norm(ph), label: p.label, wholeWord: true });
		for (const n of p.names) {
			const full = norm(n);
			if (!full) continue;
			terms.push({ text: full, label: p.label, wholeWord: true });
			for (const part of full.split(/[\s-]+/u)) if (part.length >= 2) terms.push({ text: part, label: p.label, wholeWord: true });
		}
	}
	// Longest first, so "Sam Coachee" goes whole before "Sam" alone, and an address before the name inside it.
	return terms.sort((a, b) => Number(a.wholeWord) - Number(b.wholeWord) || b.text.length - a.text.length);
}

export function redact(text: string, people: Identity[]): string {
	let out = text.normalize('NFC');
	for (const t of termsOf(people)) {
		const body = escape(t.text);
		const pattern = t.wholeWord ? `(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])` : body;
		out = out.replace(new RegExp(pattern, 'giu'), () => t.label);
	}
	return out;
}
