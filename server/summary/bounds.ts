/**
 * What a summary shows of each section, within `limits.summary.sectionChars`.
 * The record keeps everything the session produced (the pad takes up to
 * 4 MiB); the rendered copies show at most this much per section, and say so
 * in a visible line where something was cut, never silently.
 */
import { limits } from '../config/index.ts';
import type { SummaryAction, SummaryCopy } from './content.ts';
import type { Cut } from '../../shared/summary/copy.ts';

export type { Cut };

/** What was left out of each section of a shown copy. */
export const noCut: Cut = { actions: 0, carriedOver: 0, learningPoints: 0, notes: false, privateNotes: false };

export { shortenedItemsLine, shortenedNotesLine } from '../../shared/summary/index.ts';

/** Cuts text to at most `max` characters, at a line end when one is near, never inside a character. */
export function cutText(text: string, max: number): { text: string; cut: boolean } {
	if (text.length <= max) return { text, cut: false };
	let end = text.lastIndexOf('\n', max);
	if (end < max / 2) end = max;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end--;
	return { text: text.slice(0, end).trimEnd(), cut: true };
}

/** Items while they fit in `max` characters; an over-long first item is cut short rather than left out. */
function fit<T>(items: T[], max: number, size: (t: T) => number, shorten: (t: T, chars: number) => T): { kept: T[]; left: number } {
	const kept: T[] = [];
	let used = 0;
	for (const item of items) {
		const n = size(item);
		if (used + n > max) {
			// The one cut short is counted with those left out: it is not all there.
			if (kept.length === 0) return { kept: [shorten(item, max)], left: items.length };
			break;
		}
		kept.push(item);
		used += n;
	}
	return { kept, left: items.length - kept.length };
}

const actionSize = (a: SummaryAction) => a.text.length + a.owner.length + 40;
const shortenAction = <A extends SummaryAction>(a: A, chars: number): A => ({ ...a, text: cutText(a.text, chars).text + '…', owner: cutText(a.owner, 120).text });

/** The copy as it is shown, and what was left out of it. Linear in the copy's size. */
export function boundCopy(copy: SummaryCopy): { copy: SummaryCopy; cut: Cut } {
	const max = limits.summary.sectionChars;
	const actions = fit(copy.shared.actions, max.actions, actionSize, shortenAction);
	const carried = fit(copy.shared.carriedOver, max.actions, actionSize, shortenAction);
	const learning = fit(copy.shared.learningPoints, max.learningPoints, (p) => p.length + 1, (p, chars) => cutText(p, chars).text + '…');
	const notes = cutText(copy.shared.notes, max.notes);
	const privateNotes = copy.coachOnly ? cutText(copy.coachOnly.privateNotes, max.privateNotes) : null;
	return {
		copy: {
			...copy,
			shared: { actions: actions.kept, carriedOver: carried.kept, learningPoints: learning.kept, notes: notes.text },
			coachOnly: copy.coachOnly && privateNotes ? { ...copy.coachOnly, privateNotes: privateNotes.text } : null
		},
		cut: { actions: actions.left, carriedOver: carried.left, learningPoints: learning.left, notes: notes.cut, privateNotes: privateNotes?.cut ?? false }
	};
}
