/**
 * The engagement report as sections of items: the one layout the page, the
 * Markdown file and the PDF are all written from, so they never disagree.
 */
import { CLOSE_REASON_WORDS, EVALUATION_QUESTIONS, LASTED_WORDS, QUESTION_WORDS, SCALE_WORDS, type EngagementReport } from './index.ts';
import { SESSION_KIND_WORDS, type SessionKind } from '../sessions.ts';

export interface ReportSection {
	title: string;
	/** Each item: a bold lead (may be empty) and its text; a newline starts another line of the same item. */
	items: { lead: string; text: string }[];
	empty: string;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sessionWord = (n: number | null) => (n === null || n === 0 ? 'Overall' : `Session ${n}`);

/** The ratings before the close, one line per moment (baseline, each session), oldest first: "Session 1 of 6, 2026-12-01: Sam 7/10, Casey 4/10." */
function overTime(progress: EngagementReport['goals'][number]['progress']): string[] {
	const moments = new Map<string, { at: number; scores: { name: string; score: number }[] }>();
	for (const p of progress) {
		const name = p.label ?? p.moment;
		const m = moments.get(name) ?? { at: p.at, scores: [] };
		m.scores.push({ name: p.raterName, score: p.score });
		moments.set(name, m);
	}
	return [...moments].map(([name, m]) => `${name}, ${day(m.at)}: ${scoreList(m.scores)}.`);
}

/** People in the same order on every line, so the eye can follow one person down the moments. */
const scoreList = (scores: { name: string; score: number }[]) =>
	[...scores]
		.sort((a, b) => a.name.localeCompare(b.name))
		.map((x) => `${x.name} ${x.score}/10`)
		.join(', ');

export function reportTitle(r: EngagementReport): string {
	return `${r.engagement.title}: ${r.engagement.kind} report`;
}

export function reportSections(r: EngagementReport): ReportSection[] {
	const sections: ReportSection[] = [
		{
			title: 'The engagement',
			empty: '',
			items: [
				{ lead: 'People', text: r.people.map((p) => `${p.name} (${p.role})`).join(', ') },
				{ lead: 'Closed', text: r.closedAt && r.closeReason ? `${day(r.closedAt)}: ${CLOSE_REASON_WORDS[r.closeReason]}. ${r.closeNote ?? ''}`.trim() : 'Not closed yet' }
			]
		},
		{
			title: 'Goals and their progress',
			empty: 'The contract in force has no goals.',
			items: r.goals.map((g) => ({
				lead: `${g.statement} (by ${g.targetDate})`,
				text: [...overTime(g.progress), `At the close: ${g.atClose.length ? scoreList(g.atClose.map((a) => ({ name: a.raterName, score: a.score }))) : 'not rated yet'}.`].join('\n')
			}))
		},
		{
			title: 'Sessions held',
			empty: 'No session was held.',
			items: r.sessions.map((s) => ({
				lead: s.kind === 'session' ? `Session ${s.number}` : SESSION_KIND_WORDS[s.kind as SessionKind],
				text: `${utc(s.startedAt ?? s.scheduledAt)}${s.minutes !== null ? `, ${s.minutes} minute${s.minutes === 1 ? '' : 's'}` : ''}`
			}))
		},
		{
			title: 'Actions done or dropped',
			empty: 'No action was marked done or dropped.',
			items: r.actions.map((a) => ({ lead: a.status === 'done' ? 'Done' : 'Dropped', text: `${a.text} (${a.owner}, agreed in ${sessionWord(a.sessionNumber).toLowerCase()})` }))
		},
		{ title: 'Learning points', empty: 'No learning points were recorded.', items: r.learningPoints.map((l) => ({ lead: sessionWord(l.sessionNumber), text: l.text })) },
		{
			title: 'Feedback after sessions',
			empty: 'No feedback after sessions.',
			items: r.feedback.map((f) => ({ lead: `${sessionWord(f.sessionNumber)}, ${f.fromName}${f.rating !== null ? ` (${f.rating}/5)` : ''}`, text: f.text }))
		},
		{
			title: 'Final evaluations',
			empty: 'No final evaluation yet.',
			items: r.evaluations.map((e) => ({
				lead: `${e.name} (${e.role})`,
				text: [...EVALUATION_QUESTIONS.map((q) => `${QUESTION_WORDS[e.role][q]} ${e.answers[q]}/5 (${SCALE_WORDS[e.answers[q]]})`), ...(e.comment ? [`“${e.comment}”`] : [])].join('\n')
			}))
		}
	];
	if (r.followUps.length) sections.push({ title: 'Follow-up: did the change last?', empty: '', items: r.followUps.map((f) => ({ lead: `${f.name}, ${day(f.at)}`, text: `${LASTED_WORDS[f.lasted]}.${f.notes ? ` ${f.notes}` : ''}` })) });
	if (r.reflections) sections.push({ title: 'Your private reflections (only in your copy)', empty: 'No reflections.', items: r.reflections.map((x) => ({ lead: sessionWord(x.sessionNumber), text: x.text })) });
	return sections;
}
