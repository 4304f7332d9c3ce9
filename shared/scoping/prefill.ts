/**
 * Where scoping answers fit the contract: "what would you like to have
 * happen" is the first goal, "how will you know it worked" its measure, "why
 * now" why it matters, and a sponsor named in the answers (or the proposal)
 * the contract's sponsor. The coach and coachee still edit all of it.
 */
import type { ContractPrefill } from '../contract/index.ts';
import type { ScopingAnswers } from './forms.ts';

export function contractPrefill(answers: ScopingAnswers | null, proposalSponsor: { name: string; email: string }): ContractPrefill {
	const s = answers?.sponsor;
	const name = s?.name || proposalSponsor.name;
	return {
		goal: answers ? { statement: answers.answers.want, measure: answers.answers.measure, whyItMatters: answers.answers.whyNow } : undefined,
		sponsor: name ? { name, organisation: s?.organisation ?? '', email: s?.email || proposalSponsor.email, pays: s?.pays === 'yes' } : undefined
	};
}
