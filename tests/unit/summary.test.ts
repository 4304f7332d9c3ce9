/** The summary's pure parts: copies per role, rendering, safety of people's text, corrections, retry policy. */
import { describe, expect, it } from 'vitest';
import { copyFor, type SummaryContent } from '../../server/summary/content.ts';
import { nestHeadings, renderHtmlEmail, renderMarkdown, summarySubject } from '../../server/summary/render.ts';
import { markdownToHtml } from '../../server/summary/markdown-html.ts';
import { reviewCarried } from '../../server/summary/build.ts';
import { correctionForm, readCorrectionForm } from '../../server/summary/correct.ts';
import { backoffMs } from '../../server/mail/queue.ts';
import { describeFailure, isPermanent } from '../../server/mail/transport.ts';
import { limits } from '../../server/config/index.ts';

const start = Date.UTC(2026, 10, 23, 9, 0);
const content: SummaryContent = {
	engagement: { id: 'e1', title: 'Finding my voice', kind: 'mentoring', plannedSessions: 6 },
	session: { id: 's1', number: 2, scheduledAt: start, startedAt: start + 60_000, endedAt: start + 46 * 60_000, plannedMinutes: 60 },
	participants: [
		{ userId: 'u1', name: 'Casey', role: 'coach' },
		{ userId: 'u2', name: 'Sam', role: 'coachee' }
	],
	next: { id: 's2', number: 3, scheduledAt: Date.UTC(2026, 11, 7, 14, 30), durationMinutes: 45 },
	shared: {
		actions: [
			{ id: 'a1', text: 'Speak first in Monday # meeting', owner: 'Sam', due: '2026-12-01', status: 'open' },
			{ id: 'a2', text: 'Old idea', owner: 'Both', due: null, status: 'dropped' }
		],
		carriedOver: [{ id: 'c1', text: 'Read the book', owner: 'Sam', due: null, status: 'done', statusBefore: 'open', fromSession: 1 }],
		learningPoints: ['Silence is fine'],
		notes: 'We used **GROW**.'
	},
	coachOnly: { privateNotes: 'SECRET: nervous', promptsAsked: [{ text: 'What is happening right now?', askedAt: start + 5 * 60_000 }] }
};

describe('copies and rendering', () => {
	it('gives the coachee a copy without the coach-only branch at all', () => {
		const c = copyFor(content, 'coachee');
		expect(c.coachOnly).toBeNull();
		expect(JSON.stringify(c)).not.toContain('SECRET');
		expect(JSON.stringify(c)).not.toContain('What is happening right now?');
		expect(copyFor(content, 'coach').coachOnly?.privateNotes).toBe('SECRET: nervous');
	});

	it('renders every part of the summary as Markdown, times in UTC, mentoring words', () => {
		const md = renderMarkdown(copyFor(content, 'coach'), { version: 1, correctionNote: null });
		expect(md).toContain('# Finding my voice · Session 2 of 6');
		expect(md).toContain('- **Date:** Monday, 23 November 2026');
		expect(md).toContain('- **Started:** 09:01 UTC');
		expect(md).toContain('- **Duration:** 45 min (planned 60 min)');
		expect(md).toContain('Casey (mentor), Sam (mentee)');
		expect(md).toContain('- [ ] Speak first in Monday \\# meeting — Sam · due 2026-12-01 · open');
		expect(md).toContain('- [ ] ~~Old idea~~ — Both · dropped');
		expect(md).toContain('- [x] Read the book — Sam · open → done (from session 1)');
		expect(md).toContain('- Silence is fine');
		expect(md).toContain('We used **GROW**.');
		expect(md).toContain('Session 3: Monday, 7 December 2026, 14:30 UTC, 45 min.');
		expect(md).toContain("## Coach only — not in the mentee's copy");
		expect(md).toContain('- 09:05 UTC: What is happening right now?');
		const theirs = renderMarkdown(copyFor(content, 'coachee'), { version: 2, correctionNote: 'fixed a date' });
		expect(theirs).toContain('*Corrected summary, version 2: fixed a date*');
		expect(theirs).not.toContain('Coach only');
		expect(theirs).not.toContain('SECRET');
		expect(summarySubject(copyFor(content, 'coachee'))).toBe('Session summary: Finding my voice · Session 2 of 6 (23 Nov 2026)');
	});

	it('puts the notes\' own headings under the section they sit in, leaving code alone', () => {
		expect(nestHeadings('# Plan\ntext #1\n```\n# not a heading\n```\n###### Deep', 2)).toBe('### Plan\ntext #1\n```\n# not a heading\n```\n###### Deep');
		const md = renderMarkdown(copyFor({ ...content, shared: { ...content.shared, notes: '## Delegation\n- one task' } }, 'coachee'), { version: 1, correctionNote: null });
		expect(md).toContain('## Shared notes\n\n#### Delegation\n- one task');
	});

	it('says plainly when nothing was agreed or scheduled', () => {
		const empty = { ...content, next: null, shared: { actions: [], carriedOver: [], learningPoints: [], notes: '' } };
		const md = renderMarkdown(copyFor(empty, 'coachee'), { version: 1, correctionNote: null });
		expect(md).toContain('No actions were agreed in this session.');
		expect(md).not.toContain('From last time');
		expect(md).toContain('No next session is scheduled yet.');
	});

	it('never turns people\'s text into markup, scripts or javascript: links', () => {
		const html = markdownToHtml('Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://example.org) ![i](https://e.org/i.png)');
		expect(html).not.toMatch(/<script|<img|javascript:/i);
		expect(html).toContain('&lt;script&gt;');
		expect(html).toContain('<a href="https://example.org">ok</a>');
		expect(renderHtmlEmail('# T', 'https://app.example/summaries/x"><b>')).not.toContain('"><b>');
	});
});

describe('carried-over actions', () => {
	const open = [
		{ id: 'a', text: 'A', owner: 'Sam', due: null, status: 'open' as const, statusBefore: 'open' as const, fromSession: 1 },
		{ id: 'b', text: 'B', owner: 'Sam', due: null, status: 'open' as const, statusBefore: 'open' as const, fromSession: 1 }
	];
	it('keeps them open when the pad recorded nothing, and applies what it did record', () => {
		expect(reviewCarried(open, { actions: [], reviewed: null, learningPoints: [], notes: '', privateNotes: '' })).toEqual(open);
		const r = reviewCarried(open, { actions: [], reviewed: [{ id: 'b', status: 'done' }, { id: 'z', status: 'dropped', text: 'Z', fromSession: 0 }], learningPoints: [], notes: '', privateNotes: '' });
		expect(r.map((a) => [a.id, a.statusBefore, a.status])).toEqual([
			['a', 'open', 'open'],
			['b', 'open', 'done'],
			['z', 'open', 'dropped']
		]);
	});
});

describe('corrections', () => {
	const form = { note: 'fixed the due date', learningPoints: 'One\n\n Two ', notes: 'n', privateNotes: 'p', notify: 'on', action_id_0: 'a1', action_text_0: 'Do it', action_owner_0: 'Sam', action_due_0: '2026-12-31', action_status_0: 'done', action_id_1: '', action_text_1: '  ', action_owner_1: 'Both', action_due_1: '', action_status_1: 'open' };
	it('reads the flat form, dropping emptied rows', () => {
		const parsed = correctionForm.parse(readCorrectionForm(form));
		expect(parsed.actions).toEqual([{ id: 'a1', text: 'Do it', owner: 'Sam', due: '2026-12-31', status: 'done' }]);
		expect(parsed.notify).toBe(true);
	});
	it('refuses a missing note, a bad date, a bad status and oversized text with messages', () => {
		expect(correctionForm.safeParse(readCorrectionForm({ ...form, note: '' })).error?.issues[0]?.message).toMatch(/Say briefly what you corrected/);
		expect(correctionForm.safeParse(readCorrectionForm({ ...form, action_due_0: '31/12/2026' })).error?.issues[0]?.message).toMatch(/2026-12-31/);
		expect(correctionForm.safeParse(readCorrectionForm({ ...form, action_status_0: 'finished' })).success).toBe(false);
		expect(correctionForm.safeParse(readCorrectionForm({ ...form, notes: 'x'.repeat(limits.summary.maxTextChars + 1) })).error?.issues[0]?.message).toMatch(/too long/);
	});
});

describe('mail retry policy', () => {
	it('backs off exponentially up to the cap', () => {
		expect([1, 2, 3, 4].map(backoffMs)).toEqual([2000, 4000, 8000, 16000]);
		expect(backoffMs(30)).toBe(limits.mail.retryMaxMs);
	});
	it('gives up at once on 5xx answers and bad envelopes, retries the rest', () => {
		expect(isPermanent({ responseCode: 550 })).toBe(true);
		expect(isPermanent({ responseCode: 451 })).toBe(false);
		expect(isPermanent({ code: 'EENVELOPE' })).toBe(true);
		expect(isPermanent({ code: 'ECONNECTION' })).toBe(false);
		expect(isPermanent({ code: 'ETIMEDOUT' })).toBe(false);
		expect(describeFailure({ code: 'ETIMEDOUT' })).toBe('The mail server did not answer in time.');
		expect(describeFailure({ responseCode: 550, response: '550 No such user' })).toBe('The mail server answered: 550 No such user');
	});
});
