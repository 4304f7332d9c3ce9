/**
 * The contract template: the domain's standard wording, kept as data (like
 * the prompt library) so a coach can start from it and edit per engagement.
 * Validated at load, so a broken edit of the JSON fails loudly, not in a page.
 */
import { z } from 'zod';
import raw from './template.json' with { type: 'json' };
import { contractFields, type ContractBody } from './body.ts';

const kindTemplate = contractFields.pick({ boundaries: true, confidentiality: true, expectations: true }).extend({
	plan: contractFields.shape.plan.omit({ startDate: true, endDate: true })
});

const templateFile = z.object({ version: z.number().int().positive(), coaching: kindTemplate, mentoring: kindTemplate });

export type ContractTemplate = z.infer<typeof templateFile>;
export type TemplateKind = 'coaching' | 'mentoring';

export const contractTemplate: ContractTemplate = templateFile.parse(raw);

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const DAYS_BETWEEN: Record<ContractBody['plan']['frequency'], number> = {
	weekly: 7,
	fortnightly: 14,
	monthly: 30,
	'bi-monthly': 61,
	'as agreed': 30
};

/**
 * A first draft: the template's wording, the engagement's own plan where it
 * has one, and one empty goal for the coach and coachee to write together.
 * It does not validate until that goal is written, which is the point.
 */
export function draftFromTemplate(
	kind: TemplateKind,
	opts: { today: string; sessions?: number | null; frequency?: ContractBody['plan']['frequency'] | null; goals?: string },
	template: ContractTemplate = contractTemplate
): ContractBody {
	const t = template[kind];
	const sessions = opts.sessions ?? t.plan.sessions;
	const frequency = opts.frequency ?? t.plan.frequency;
	const endDate = addDays(opts.today, Math.max(1, sessions) * DAYS_BETWEEN[frequency]);
	return {
		goals: [{ id: 'goal-1', statement: opts.goals?.trim().slice(0, 300) ?? '', measure: '', whyItMatters: '', targetDate: endDate }],
		boundaries: { ...t.boundaries },
		confidentiality: { ...t.confidentiality },
		plan: { ...t.plan, sessions, frequency, startDate: opts.today, endDate },
		expectations: { coachee: [...t.expectations.coachee], coach: [...t.expectations.coach] },
		stakeholders: { sponsor: null },
		// Ask, do not assume: names only, until the group agrees to share more.
		sharing: { names: true, actions: false, learningPoints: false },
		// Consent to be named in the coach's log is the coachee's to give: unticked until they agree.
		coachingLog: { listByName: false }
	};
}

/** What an engagement already knows before its first draft (from scoping): a goal's words and the sponsor. */
export interface ContractPrefill {
	goal?: Partial<Pick<ContractBody['goals'][number], 'statement' | 'measure' | 'whyItMatters'>>;
	sponsor?: ContractBody['stakeholders']['sponsor'];
}

/** A first draft with what is already known filled in; a blank in the prefill leaves the draft's own text. */
export function prefillDraft(body: ContractBody, prefill: ContractPrefill | null): ContractBody {
	if (!prefill) return body;
	const out = structuredClone(body);
	const first = out.goals[0];
	if (first && prefill.goal) {
		for (const k of ['statement', 'measure', 'whyItMatters'] as const) {
			const v = prefill.goal[k]?.trim();
			if (v) first[k] = v.slice(0, 300);
		}
	}
	if (prefill.sponsor) out.stakeholders.sponsor = { ...prefill.sponsor };
	return out;
}
