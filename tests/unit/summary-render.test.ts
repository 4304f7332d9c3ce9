/**
 * Rendering people's text with a bound: a renderer whose cost is linear on
 * hostile Markdown, sections cut with a visible line, HTML made in a worker
 * thread with a deadline, and copies rendered once per version.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { performance } from 'node:perf_hooks';
import { copyFor, type SummaryContent } from '../../server/summary/content.ts';
import { markdownToHtml } from '../../server/summary/markdown-html.ts';
import { nestHeadings, renderMarkdown } from '../../server/summary/render.ts';
import { boundCopy, cutText } from '../../server/summary/bounds.ts';
import { createCopyRenderer } from '../../server/summary/copy-renderer.ts';
import { limits } from '../../server/config/index.ts';

const log = pino({ level: 'silent' });
const start = Date.UTC(2026, 10, 23, 9, 0);
const content = (shared: Partial<SummaryContent['shared']>, privateNotes = 'SECRET-PRIVATE'): SummaryContent => ({
	engagement: { id: 'e1', title: 'Finding my voice', kind: 'coaching', plannedSessions: null },
	session: { id: 's1', number: 1, scheduledAt: start, startedAt: start, endedAt: start + 30 * 60_000, plannedMinutes: 45 },
	participants: [
		{ userId: 'u1', name: 'Casey', role: 'coach' },
		{ userId: 'u2', name: 'Sam', role: 'coachee' }
	],
	next: null,
	shared: { actions: [], carriedOver: [], learningPoints: [], notes: '', ...shared },
	coachOnly: { privateNotes, promptsAsked: [{ text: 'ASKED-PROMPT', askedAt: start }] }
});

const repeat = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const hostile: Record<string, (n: number) => string> = {
	'*a_ repeated': (n) => repeat('*a_', n),
	'[ repeated': (n) => repeat('[', n),
	'**a_ repeated': (n) => repeat('**a_', n),
	'nested quotes': (n) => repeat('>', n) + ' a',
	'a quote per line': (n) => repeat('> a\n', n),
	'nested lists': (n) => repeat('- ', n) + 'a',
	'backtick runs': (n) => repeat('`a', n),
	'unclosed links': (n) => repeat('[a](', n),
	'refused links': (n) => repeat('[a](javascript:x) ', n)
};

function msFor(text: string): number {
	const t0 = performance.now();
	markdownToHtml(text);
	return performance.now() - t0;
}

describe('the Markdown renderer', () => {
	it('takes time linear in its input on hostile text (32x the input, nowhere near 1,000x the time)', { timeout: 180_000 }, () => {
		for (const text of Object.values(hostile)) markdownToHtml(text(2_000)); // warm up
		for (const [name, make] of Object.entries(hostile)) {
			// The quickest of a few runs: a loaded machine only ever adds time.
			const small = Math.max(Math.min(msFor(make(10_240)), msFor(make(10_240)), msFor(make(10_240))), 1);
			const large = Math.min(msFor(make(327_680)), msFor(make(327_680)));
			// Linear is ~32x, quadratic ~1,000x; the margin is for a loaded machine.
			expect(large / small, `${name}: ${small.toFixed(1)} ms at 10 KiB, ${large.toFixed(1)} ms at 320 KiB`).toBeLessThan(250);
		}
	});

	it('keeps the safety rules: raw HTML as text, only http(s)/mailto links, no images', () => {
		const html = markdownToHtml('<b>x</b> [a](/relative) [b](data:text/html,x) [c](mailto:sam@example.org) ![pixel](https://t.example/p.gif) <https://example.org>');
		expect(html).not.toMatch(/<b>|<img|href="\/relative"|data:/);
		expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
		expect(html).toContain('<a href="mailto:sam@example.org">c</a>');
		expect(html).toContain('pixel');
		expect(html).toContain('<a href="https://example.org">https://example.org</a>');
	});
});

describe('section bounds', () => {
	it('cuts text at a line end near the bound, never inside a character', () => {
		expect(cutText('short', 10)).toEqual({ text: 'short', cut: false });
		expect(cutText('line one\nline two\nline three', 20)).toEqual({ text: 'line one\nline two', cut: true });
		const emoji = 'a' + '😀'.repeat(10);
		const cut = cutText(emoji, 4).text;
		expect(cut).toBe('a😀');
		expect(cut.length).toBeLessThanOrEqual(4);
	});

	it('shows what was cut with a visible line in each section, and keeps the record whole', () => {
		const max = limits.summary.sectionChars;
		const actions = Array.from({ length: 2_000 }, (_, i) => ({ id: `a${i}`, text: `Action ${i} ${'x'.repeat(80)}`, owner: 'Sam', due: null, status: 'open' as const }));
		const learningPoints = Array.from({ length: 2_000 }, (_, i) => `Point ${i} ${'y'.repeat(40)}`);
		const notes = repeat('*a_', 1024 * 1024);
		const c = content({ actions, learningPoints, notes }, repeat('[', 300_000));
		const shown = boundCopy(copyFor(c, 'coach'));
		expect(shown.copy.shared.notes.length).toBeLessThanOrEqual(max.notes);
		expect(shown.copy.coachOnly!.privateNotes.length).toBeLessThanOrEqual(max.privateNotes);
		expect(shown.cut.notes && shown.cut.privateNotes).toBe(true);
		expect(shown.cut.actions).toBe(2_000 - shown.copy.shared.actions.length);
		expect(shown.cut.actions).toBeGreaterThan(0);
		expect(c.shared.notes.length).toBe(1024 * 1024);

		const md = renderMarkdown(copyFor(c, 'coach'), { version: 1, correctionNote: null });
		expect(md.length).toBeLessThan(max.notes + max.privateNotes + max.actions + max.learningPoints + 20_000);
		expect(md).toContain('…(shortened; the full notes stay in the pad)');
		expect(md).toContain(`…(shortened; ${shown.cut.actions} more actions are in the pad)`);
		expect(md).toContain(`…(shortened; ${shown.cut.learningPoints} more learning points are in the pad)`);
		expect(md.split('…(shortened; the full notes stay in the pad)')).toHaveLength(3);
	});

	it('cuts a single over-long action short instead of leaving it out', () => {
		const one = content({ actions: [{ id: 'a', text: 'z'.repeat(200_000), owner: 'Sam', due: null, status: 'open' }] });
		const shown = boundCopy(copyFor(one, 'coachee'));
		expect(shown.copy.shared.actions).toHaveLength(1);
		expect(shown.copy.shared.actions[0]!.text.length).toBeLessThanOrEqual(limits.summary.sectionChars.actions + 1);
		expect(shown.cut.actions).toBe(1);
	});

	it('closes a code block the notes leave open, so it cannot swallow later sections', () => {
		expect(nestHeadings('# Plan\n```\ncode', 2)).toBe('### Plan\n```\ncode\n```');
		expect(nestHeadings('~~~\n```\n# kept\n~~~\n# Up', 1)).toBe('~~~\n```\n# kept\n~~~\n## Up');
	});
});

describe('the render worker', () => {
	it('renders in a worker thread, once per distinct part, and the coachee copy has no coach-only part', async () => {
		const renderer = createCopyRenderer(log);
		try {
			const c = content({ notes: 'We used **GROW**.\n\n```\nunclosed', learningPoints: ['Silence is fine'] });
			const [coach, coachee] = await renderer.render(JSON.stringify(c), { version: 1, correctionNote: null }, { session: 's1' });
			expect(coach!.renderedWith).toBe('markdown');
			expect(coach!.notesHtml).toContain('<strong>GROW</strong>');
			expect(coach!.privateNotesHtml).toContain('SECRET-PRIVATE');
			// The notes' open code block ends with the notes: the next section is still a heading.
			expect(coach!.html).toContain('<h2>Next session</h2>');
			expect(coach!.html).toContain('ASKED-PROMPT');
			expect(coachee!.role).toBe('coachee');
			expect(coachee!.privateNotesHtml).toBeNull();
			expect(coachee!.shown.copy.coachOnly).toBeNull();
			for (const text of [coachee!.html, coachee!.markdown, coachee!.notesHtml, JSON.stringify(coachee!.shown)]) {
				expect(text).not.toContain('SECRET-PRIVATE');
				expect(text).not.toContain('ASKED-PROMPT');
			}
			expect(coachee!.notesHtml).toBe(coach!.notesHtml);
		} finally {
			await renderer.close();
		}
	});

	it('keeps the event loop free while a hostile summary at the bounds is rendered', async () => {
		const renderer = createCopyRenderer(log);
		try {
			await renderer.render(content({ notes: 'warm up' }), { version: 1, correctionNote: null }, {});
			const c = content({ notes: repeat('[', 1024 * 1024), learningPoints: Array.from({ length: 500 }, () => repeat('*a_', 100)) }, repeat('*a_', 1024 * 1024));
			// The event loop's own busy time while the copies render: before, it was all of it.
			const before = performance.eventLoopUtilization();
			const t0 = performance.now();
			const [coach] = await renderer.render(c, { version: 1, correctionNote: null }, { session: 's1' });
			const took = performance.now() - t0;
			const busy = performance.eventLoopUtilization(before).active;
			expect(coach!.renderedWith).toBe('markdown');
			expect(coach!.notesHtml).toContain('…(shortened; the full notes stay in the pad)');
			expect(busy, `event loop busy ${busy.toFixed(1)} ms of ${took.toFixed(0)} ms rendering`).toBeLessThan(100);
		} finally {
			await renderer.close();
		}
	});

	it('falls back to plain escaped text when the worker misses its deadline', async () => {
		const renderer = createCopyRenderer(log, { deadlineMs: 1 });
		try {
			const [coach, coachee] = await renderer.render(content({ notes: '**bold** <script>x</script>\n\nnext' }), { version: 1, correctionNote: null }, { session: 's1' });
			expect(coach!.renderedWith).toBe('plain-text');
			expect(coach!.notesHtml).toBe('<p>**bold** &#60;script&#62;x&#60;/script&#62;</p>\n<p>next</p>\n');
			expect(coach!.html).toContain('<p>## Agreed actions</p>');
			expect(coachee!.privateNotesHtml).toBeNull();
			expect(coachee!.html).not.toContain('SECRET-PRIVATE');
		} finally {
			await renderer.close();
		}
	});
});
