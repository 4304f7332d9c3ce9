// What the end dialog says about this page's unsaved pad edits: per document, for this session only.
import { afterEach, expect, it } from 'vitest';
import { describeUnsaved, reportUnsynced, unsavedDocuments, unsyncedEdits } from '../../web/src/lib/summary/unsynced.ts';

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

it('names each document with unsaved edits, latest first, and leaves out other sessions and saved documents', () => {
	const now = 1_000_000;
	stops.push(
		reportUnsynced(() => ({ sessionId: 's1', document: 'shared notes', edits: 3, lastEditAt: now - 2_400 })),
		reportUnsynced(() => ({ sessionId: 's1', document: 'private notes', edits: 1, lastEditAt: now - 500 })),
		reportUnsynced(() => ({ sessionId: 's1', document: 'shared notes', edits: 0, lastEditAt: null })),
		reportUnsynced(() => ({ sessionId: 's0', document: 'shared notes', edits: 5, lastEditAt: now - 20_000 }))
	);
	expect(unsavedDocuments('s1').map((r) => describeUnsaved(r, now))).toEqual([
		'private notes: typed 1 s ago, not saved yet',
		'shared notes: typed 2 s ago, not saved yet'
	]);
	expect(unsyncedEdits('s1')).toBe(4);
	expect(describeUnsaved({ sessionId: 's1', document: 'shared notes', edits: 1, lastEditAt: now - 125_000 }, now)).toBe('shared notes: typed 2 min ago, not saved yet');
});

it('counts a reporter that fails as unsaved: it cannot vouch for its edits', () => {
	stops.push(reportUnsynced(() => { throw new Error('gone'); }));
	expect(unsyncedEdits('s1')).toBe(1);
	expect(describeUnsaved(unsavedDocuments('s1')[0]!)).toBe('a pad document: edited, not saved yet');
});
