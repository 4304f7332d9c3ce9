/**
 * An engagement's life as steps, so everyone sees where they are: proposal,
 * scoping answers, decision, contract drafted, sent, in force, sessions.
 * Steps that do not apply (an engagement started without a proposal) are
 * left out; the first step not yet done is the current one.
 */
export type LifeStepState = 'done' | 'current' | 'todo';

export interface LifeStep {
	key: 'proposal' | 'answers' | 'decision' | 'drafted' | 'sent' | 'in_force' | 'sessions';
	label: string;
	state: LifeStepState;
	/** When it happened, for the steps that have a moment. */
	at: number | null;
	detail: string | null;
}

export interface LifeFacts {
	proposal: { createdAt: number; answeredAt: number | null; decidedAt: number | null } | null;
	/** Versions as they stand: the earliest time each stage was reached by any version. */
	contract: { draftedAt: number | null; sentAt: number | null; inForceAt: number | null; version: number | null };
	sessions: { held: number; planned: number | null; next: number | null };
}

export function engagementLife(f: LifeFacts): LifeStep[] {
	const steps: Omit<LifeStep, 'state'>[] = [];
	if (f.proposal) {
		steps.push({ key: 'proposal', label: 'Proposal', at: f.proposal.createdAt, detail: null });
		steps.push({ key: 'answers', label: 'Scoping answers', at: f.proposal.answeredAt, detail: f.proposal.answeredAt === null ? 'not answered' : null });
		steps.push({ key: 'decision', label: 'Work taken on', at: f.proposal.decidedAt, detail: null });
	}
	steps.push({ key: 'drafted', label: 'Contract drafted', at: f.contract.draftedAt, detail: null });
	steps.push({ key: 'sent', label: 'Sent for acceptance', at: f.contract.sentAt, detail: null });
	steps.push({ key: 'in_force', label: 'In force', at: f.contract.inForceAt, detail: f.contract.inForceAt !== null && f.contract.version !== null ? `version ${f.contract.version}` : null });
	const { held, planned } = f.sessions;
	steps.push({
		key: 'sessions',
		label: 'Sessions',
		at: null,
		detail: planned ? `${held} of ${planned} held` : held ? `${held} held` : f.sessions.next !== null ? 'first one booked' : null
	});
	const done = (s: Omit<LifeStep, 'state'>) =>
		s.key === 'sessions' ? planned !== null && planned > 0 && held >= planned : s.key === 'answers' ? s.at !== null || (f.proposal?.decidedAt ?? null) !== null : s.at !== null;
	let current = false;
	return steps.map((s) => {
		if (done(s)) return { ...s, state: 'done' as const };
		if (!current) {
			current = true;
			return { ...s, state: 'current' as const };
		}
		return { ...s, state: 'todo' as const };
	});
}
