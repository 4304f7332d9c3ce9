// Which phases of a coaching conversation fit the moment: the panel suggests
// their prompts as the session runs, from when it started and how long it
// was planned to last. Pure, so it is tested without a clock.
import type { PromptPhase } from './index.ts';

export interface PhaseSuggestion {
	readonly phases: readonly PromptPhase[];
	/** Why these, in a few words the coach can read at a glance. */
	readonly reason: string;
}

const MINUTE = 60_000;
// The opening and closing stretches: about ten minutes each, less in a short
// session so the middle keeps at least half of the time.
const EDGE_MS = 10 * MINUTE;
const EDGE_SHARE = 0.25;

export function suggestPhases(session: { startedAt: number | null; durationMinutes: number }, now: number): PhaseSuggestion {
	if (session.startedAt === null || now < session.startedAt) {
		return { phases: ['scoping', 'contracting'], reason: 'Opening the session' };
	}
	const total = Math.max(1, session.durationMinutes) * MINUTE;
	const elapsed = now - session.startedAt;
	const remaining = total - elapsed;
	const edge = Math.min(EDGE_MS, total * EDGE_SHARE);
	if (remaining <= 0) return { phases: ['close', 'feedback'], reason: 'Past the planned end' };
	if (remaining <= edge) {
		return { phases: ['reflection', 'close', 'feedback'], reason: `Last ${Math.ceil(remaining / MINUTE)} min: reflect and close` };
	}
	if (elapsed < edge) return { phases: ['scoping', 'contracting'], reason: 'Opening minutes: scope and contract' };
	// The middle: first where they are and want to be, then how they get there.
	const middle = total - 2 * edge;
	if (elapsed - edge < middle / 2) return { phases: ['goal', 'reality'], reason: 'Goal and reality' };
	return { phases: ['options', 'will'], reason: 'Options and the way forward' };
}
