/**
 * The contract as an HTML form: flat field names (`goals.0.measure`,
 * `plan.sessions`) so the page works without JavaScript and a failed save
 * shows each message beside its own input. Expectations are one per line.
 */
import { coachingLogOf, sharingOf, type ContractBody } from './body.ts';

const lines = (s: string | undefined) => (s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/** Builds the body the schema checks from posted fields; numbers stay strings for the schema to coerce and judge. */
export function contractFromForm(f: Record<string, string>): unknown {
	const goalIndexes = [...new Set(Object.keys(f).map((k) => /^goals\.(\d+)\./.exec(k)?.[1]).filter((i): i is string => i !== undefined))]
		.map(Number)
		.sort((a, b) => a - b);
	const g = (i: number, k: string) => f[`goals.${i}.${k}`] ?? '';
	const sponsorName = (f['sponsor.name'] ?? '').trim();
	const sponsorOrg = (f['sponsor.organisation'] ?? '').trim();
	const sponsorEmail = (f['sponsor.email'] ?? '').trim();
	return {
		goals: goalIndexes.map((i) => ({ id: g(i, 'id'), statement: g(i, 'statement'), measure: g(i, 'measure'), whyItMatters: g(i, 'whyItMatters'), targetDate: g(i, 'targetDate') })),
		boundaries: {
			workTopics: f['boundaries.workTopics'] ?? '',
			nonWorkTopics: f['boundaries.nonWorkTopics'] ?? '',
			notTherapy: f['boundaries.notTherapy'] ?? '',
			outsideRemit: f['boundaries.outsideRemit'] ?? '',
			responsibility: f['boundaries.responsibility'] ?? ''
		},
		confidentiality: {
			betweenUs: f['confidentiality.betweenUs'] ?? '',
			legalLimits: f['confidentiality.legalLimits'] ?? '',
			sponsorSees: f['confidentiality.sponsorSees'] ?? ''
		},
		plan: {
			sessions: f['plan.sessions'] ?? '',
			frequency: f['plan.frequency'] ?? '',
			sessionMinutes: f['plan.sessionMinutes'] ?? '',
			startDate: f['plan.startDate'] ?? '',
			endDate: f['plan.endDate'] ?? '',
			exercises: f['plan.exercises'] ?? '',
			changes: f['plan.changes'] ?? '',
			noticeHours: f['plan.noticeHours'] ?? ''
		},
		expectations: { coachee: lines(f['expectations.coachee']), coach: lines(f['expectations.coach']) },
		stakeholders: {
			sponsor: sponsorName || sponsorOrg || sponsorEmail ? { name: sponsorName, organisation: sponsorOrg, email: sponsorEmail, pays: f['sponsor.pays'] === 'on' } : null
		},
		// Checkboxes: a ticked one is posted as "on", an unticked one not at all.
		sharing: { names: f['sharing.names'] === 'on', actions: f['sharing.actions'] === 'on', learningPoints: f['sharing.learningPoints'] === 'on' },
		coachingLog: { listByName: f['coachingLog.listByName'] === 'on' }
	};
}

/** A new goal's id: unique within the contract, stable across versions. */
export function nextGoalId(body: Pick<ContractBody, 'goals'>): string {
	let n = body.goals.length + 1;
	const taken = new Set(body.goals.map((g) => g.id));
	while (taken.has(`goal-${n}`)) n++;
	return `goal-${n}`;
}

/** The form fields for a body: what the page's inputs hold (the inverse of `contractFromForm`). */
export function contractFormFields(body: ContractBody): Record<string, string> {
	const f: Record<string, string> = {};
	body.goals.forEach((g, i) => {
		for (const k of ['id', 'statement', 'measure', 'whyItMatters', 'targetDate'] as const) f[`goals.${i}.${k}`] = g[k];
	});
	for (const [k, v] of Object.entries(body.boundaries)) f[`boundaries.${k}`] = v;
	for (const [k, v] of Object.entries(body.confidentiality)) f[`confidentiality.${k}`] = v;
	for (const [k, v] of Object.entries(body.plan)) f[`plan.${k}`] = String(v);
	f['expectations.coachee'] = body.expectations.coachee.join('\n');
	f['expectations.coach'] = body.expectations.coach.join('\n');
	for (const [k, v] of Object.entries(sharingOf(body))) if (v) f[`sharing.${k}`] = 'on';
	if (coachingLogOf(body).listByName) f['coachingLog.listByName'] = 'on';
	const s = body.stakeholders.sponsor;
	if (s) {
		f['sponsor.name'] = s.name;
		f['sponsor.organisation'] = s.organisation;
		f['sponsor.email'] = s.email;
		if (s.pays) f['sponsor.pays'] = 'on';
	}
	return f;
}
