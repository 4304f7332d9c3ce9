/**
 * A contract read as a list of clauses, each with a label in people's words:
 * what the diff page compares, what acceptance ticks refer to, and how the
 * Markdown copy is laid out. Goals are matched by id, so rewording a goal
 * shows as a change to that goal, not as one removed and one added.
 */
import { coachingLogOf, sharingOf, type ContractBody, type GroupSharing } from './body.ts';
import { frequencyWords } from './plan.ts';

export type ClauseSection = 'goals' | 'boundaries' | 'confidentiality' | 'plan' | 'expectations' | 'stakeholders' | 'sharing' | 'coachingLog';

export interface Clause {
	/** Stable across versions: `goals.<id>.measure`, `plan.sessions`... */
	key: string;
	section: ClauseSection;
	label: string;
	text: string;
}

export const SECTION_TITLES: Record<ClauseSection, string> = {
	goals: 'Goals',
	boundaries: 'Boundaries',
	confidentiality: 'Confidentiality',
	plan: 'Plan',
	expectations: 'What we expect of each other',
	stakeholders: 'Stakeholders',
	sharing: 'What the group shares (group coaching)',
	coachingLog: 'The coach’s coaching log'
};

/** The clause the coachee accepts: named in the coach's log of hours, or a label only. */
export function coachingLogClause(body: Pick<ContractBody, 'coachingLog'>): Clause {
	const text = coachingLogOf(body).listByName
		? 'Your coach may list you by name and email address in their coaching log (the hours a credentialing body such as ICF asks for), with the dates and hours of the coaching.'
		: 'Your coach’s coaching log (the hours a credentialing body such as ICF asks for) shows you only as a label such as “Client 3”, never your name or email address.';
	return { key: 'coachingLog.listByName', section: 'coachingLog', label: 'May your coach list you by name in their coaching log?', text };
}

const SHARING_LABELS: Record<keyof GroupSharing, [label: string, yes: string, no: string]> = {
	names: ['Names', 'Summaries and pages name each member of the group.', 'Summaries and pages name only you and the coach; the others are "a group member".'],
	actions: ['Actions', 'Everyone in the group sees each member’s actions.', 'Each member sees only their own actions and the group’s; not the others’.'],
	learningPoints: ['Learning points', 'Everyone in the group sees each member’s learning points.', 'Each member sees only the learning points they wrote.']
};

function sharingClauses(body: ContractBody): Clause[] {
	const sharing = sharingOf(body);
	return (Object.keys(SHARING_LABELS) as (keyof GroupSharing)[]).map((k) => {
		const [label, yes, no] = SHARING_LABELS[k];
		return { key: `sharing.${k}`, section: 'sharing' as const, label, text: sharing[k] ? yes : no };
	});
}

const BOUNDARY_LABELS: Record<keyof ContractBody['boundaries'], string> = {
	workTopics: 'Work topics',
	nonWorkTopics: 'Non-work topics',
	notTherapy: 'Coaching is not therapy',
	outsideRemit: 'Outside the remit',
	responsibility: 'Responsibility'
};

const CONFIDENTIALITY_LABELS: Record<keyof ContractBody['confidentiality'], string> = {
	betweenUs: 'Between coach and coachee',
	legalLimits: 'Legal limits',
	sponsorSees: 'What the sponsor sees'
};

function goalClauses(body: ContractBody): Clause[] {
	return body.goals.flatMap((g, i) => {
		const name = `Goal ${i + 1}`;
		return [
			{ key: `goals.${g.id}.statement`, section: 'goals' as const, label: `${name}: the goal`, text: g.statement },
			{ key: `goals.${g.id}.measure`, section: 'goals' as const, label: `${name}: how it is measured`, text: g.measure },
			{ key: `goals.${g.id}.whyItMatters`, section: 'goals' as const, label: `${name}: why it matters`, text: g.whyItMatters },
			{ key: `goals.${g.id}.targetDate`, section: 'goals' as const, label: `${name}: target date`, text: g.targetDate }
		];
	});
}

function planClauses(p: ContractBody['plan']): Clause[] {
	const c = (key: keyof ContractBody['plan'], label: string, text: string): Clause => ({ key: `plan.${key}`, section: 'plan', label, text });
	return [
		c('sessions', 'Number of sessions', String(p.sessions)),
		c('frequency', 'Frequency', frequencyWords(p.frequency)),
		c('sessionMinutes', 'Session length', `${p.sessionMinutes} minutes`),
		c('startDate', 'Start date', p.startDate),
		c('endDate', 'End date', p.endDate),
		c('exercises', 'Exercises between sessions', p.exercises || 'None agreed.'),
		c('changes', 'Moving or cancelling a session', p.changes),
		c('noticeHours', 'Notice needed', `${p.noticeHours} hours`)
	];
}

function sponsorText(s: ContractBody['stakeholders']['sponsor']): string {
	if (!s) return 'No sponsor: the coachee is the only client.';
	const org = s.organisation ? ` (${s.organisation})` : '';
	return `${s.name}${org}; ${s.pays ? 'pays for the coaching' : 'does not pay for the coaching'}.`;
}

export function clausesOf(body: ContractBody): Clause[] {
	const entries = <T extends Record<string, string>>(obj: T, section: ClauseSection, labels: Record<keyof T, string>): Clause[] =>
		(Object.keys(labels) as (keyof T & string)[]).map((k) => ({ key: `${section}.${k}`, section, label: labels[k], text: obj[k] ?? '' }));
	return [
		...goalClauses(body),
		...entries(body.boundaries, 'boundaries', BOUNDARY_LABELS),
		...entries(body.confidentiality, 'confidentiality', CONFIDENTIALITY_LABELS),
		...planClauses(body.plan),
		{ key: 'expectations.coachee', section: 'expectations', label: 'Of the coachee', text: body.expectations.coachee.map((e) => `- ${e}`).join('\n') },
		{ key: 'expectations.coach', section: 'expectations', label: 'Of the coach', text: body.expectations.coach.map((e) => `- ${e}`).join('\n') },
		{ key: 'stakeholders.sponsor', section: 'stakeholders', label: 'Sponsor', text: sponsorText(body.stakeholders.sponsor) },
		...sharingClauses(body),
		coachingLogClause(body)
	];
}

export type ClauseChange =
	| { kind: 'added'; key: string; section: ClauseSection; label: string; after: string }
	| { kind: 'removed'; key: string; section: ClauseSection; label: string; before: string }
	| { kind: 'changed'; key: string; section: ClauseSection; label: string; before: string; after: string };

/** What changed from one version to the next, clause by clause, in the newer version's order. */
export function diffContracts(before: ContractBody, after: ContractBody): ClauseChange[] {
	const old = new Map(clausesOf(before).map((c) => [c.key, c]));
	const changes: ClauseChange[] = [];
	const seen = new Set<string>();
	for (const c of clausesOf(after)) {
		seen.add(c.key);
		const was = old.get(c.key);
		if (!was) changes.push({ kind: 'added', key: c.key, section: c.section, label: c.label, after: c.text });
		else if (was.text !== c.text) changes.push({ kind: 'changed', key: c.key, section: c.section, label: c.label, before: was.text, after: c.text });
	}
	for (const [key, c] of old) if (!seen.has(key)) changes.push({ kind: 'removed', key, section: c.section, label: c.label, before: c.text });
	return changes;
}

/**
 * What a sponsor may read of a contract: the goals' statements and dates, the
 * plan's shape, what the contract says they will see, and themselves. Never
 * how a goal is measured or why it matters to the coachee, the boundaries, or
 * the expectations.
 */
export function sponsorPartsOf(body: ContractBody) {
	return {
		goals: body.goals.map((g) => ({ statement: g.statement, targetDate: g.targetDate })),
		plan: { sessions: body.plan.sessions, frequency: body.plan.frequency, sessionMinutes: body.plan.sessionMinutes, startDate: body.plan.startDate, endDate: body.plan.endDate },
		sponsorSees: body.confidentiality.sponsorSees,
		sponsor: body.stakeholders.sponsor
	};
}

export type SponsorContractView = ReturnType<typeof sponsorPartsOf>;
