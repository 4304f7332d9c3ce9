/**
 * The summary's sources wired to the real pad and prompt panel: the pad's
 * documents are read with its own layout readers (shared/pad), so the
 * summary shows exactly what the pad holds.
 */
import { ownerLabel, readPadStates } from '../../shared/pad/index.ts';
import { sharingOf, type GroupSharing } from '../../shared/contract/body.ts';
import type { PadFinalState, PadReading, SummarySources } from './sources.ts';
import { emptyDocState } from './sources.ts';
import type { AskedPrompt } from './content.ts';

function readPad(state: PadFinalState, people: { userId: string; name: string; role: string }[]): PadReading {
	const pad = readPadStates(state);
	const label = (a: Parameters<typeof ownerLabel>[0]) => ownerLabel(a, people);
	const learning = pad.learningPoints.filter((l) => l.text.trim() !== '');
	return {
		actions: pad.actions
			.filter((a) => a.text.trim() !== '')
			.map((a) => ({ id: a.id, text: a.text, owner: label(a), ownerKind: a.owner, ownerUserId: a.owner === 'coachee' ? a.ownerUserId : null, due: a.due, status: a.status, goalId: a.goalId })),
		reviewed: pad.carried.map((a) => ({ id: a.id, status: a.status, text: a.text, owner: label(a), due: a.due, fromSession: a.fromSessionNumber || undefined })),
		learningPoints: learning.map((l) => l.text.trim()),
		learningAuthors: learning.map((l) => l.createdBy),
		notes: pad.notesMarkdown,
		privateNotes: pad.privateNotesMarkdown
	};
}

export function padSources(deps: {
	/** Makes the session's pad read-only, so nothing is written after the state the summary records. */
	seal: (sessionId: string) => Promise<void>;
	/** The pad's final states of a session (flushed), or null when the pad never opened. */
	finalState: (sessionId: string) => Promise<PadFinalState | null>;
	askedIn: (sessionId: string) => Promise<{ text: string; askedAt: number }[]>;
	/** The contract version in force at a moment (the contracts feature). */
	contractAt: (engagementId: string, at: number) => Promise<{ version: number; body: { goals: { id: string; statement: string }[]; sharing?: GroupSharing } } | null>;
}): SummarySources {
	return {
		async padFinalState(sessionId) {
			await deps.seal(sessionId);
			return (await deps.finalState(sessionId)) ?? { shared: emptyDocState(), private: null };
		},
		readPad,
		async promptsAsked(sessionId): Promise<AskedPrompt[]> {
			return (await deps.askedIn(sessionId)).map((p) => ({ text: p.text, askedAt: p.askedAt }));
		},
		async contractAt(engagementId, at) {
			const v = await deps.contractAt(engagementId, at);
			return v && { version: v.version, goals: v.body.goals.map((g) => ({ id: g.id, statement: g.statement })), sharing: sharingOf(v.body) };
		}
	};
}
