/**
 * Assembles a summary's content on the server from the session's records and
 * the pad's final state: who, when, what was agreed, what happened to last
 * time's actions, and what comes next.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Engagements, Member } from '../engagements/index.ts';
import type { RoomRole } from '../../shared/domain.ts';
import { parseContent, type CarriedAction, type SummaryContent, type AskedPrompt } from './content.ts';
import type { PadFinalState, PadReading, SummarySources } from './sources.ts';
import { previousSummary } from './reads.ts';

/** Actions still open at the end of the engagement's previous summarised session, with where they came from. */
async function openFromLastTime(deps: BuildDeps, engagementId: string, beforeNumber: number): Promise<CarriedAction[]> {
	const prev = await previousSummary(deps, engagementId, beforeNumber);
	if (!prev) return [];
	const content = parseContent(prev);
	const fresh = content.shared.actions.filter((a) => a.status === 'open').map((a) => ({ ...a, fromSession: prev.number, statusBefore: a.status }));
	const older = content.shared.carriedOver.filter((a) => a.status === 'open').map((a) => ({ ...a, statusBefore: a.status }));
	return [...older, ...fresh];
}

/** Last time's open actions, updated with what the pad recorded about them in this session. */
export function reviewCarried(open: CarriedAction[], reading: PadReading): CarriedAction[] {
	if (!reading.reviewed) return open;
	const byId = new Map(reading.reviewed.map((r) => [r.id, r]));
	const out: CarriedAction[] = open.map((a) => {
		const r = byId.get(a.id);
		if (!r) return a;
		return { ...a, status: r.status, text: r.text ?? a.text, owner: r.owner ?? a.owner, due: r.due === undefined ? a.due : r.due };
	});
	// Reviewed items the pad knows but our records do not (e.g. before summaries existed).
	for (const r of reading.reviewed) {
		if (!open.some((a) => a.id === r.id) && r.text) {
			out.push({ id: r.id, text: r.text, owner: r.owner ?? '', due: r.due ?? null, status: r.status, statusBefore: 'open', fromSession: r.fromSession ?? null });
		}
	}
	return out;
}

export interface BuildDeps {
	db: Kysely<Database>;
	engagements: Pick<Engagements, 'sessionRecord' | 'sessionsOf' | 'nextScheduled'>;
}

export async function buildContent(
	deps: BuildDeps,
	sources: SummarySources,
	input: { sessionId: string; endedAt: number; members: (Pick<Member, 'userId' | 'name'> & { role: RoomRole })[]; state: PadFinalState; asked: AskedPrompt[] }
): Promise<SummaryContent> {
	const record = await deps.engagements.sessionRecord(input.sessionId);
	if (!record) throw new Error(`session ${input.sessionId} is not on record`);
	const { session, engagement } = record;
	const next = await deps.engagements.nextScheduled(engagement.id, input.endedAt);
	const reading = sources.readPad(input.state, input.members.map((m) => ({ userId: m.userId, name: m.name, role: m.role })));
	const carried = reviewCarried(await openFromLastTime(deps, engagement.id, session.number), reading);
	// Held under the version in force when it started; an action keeps its goal only if that version has it.
	const contract = await sources.contractAt(engagement.id, session.started_at ?? input.endedAt);
	const goalIds = new Set(contract?.goals.map((g) => g.id));
	const group = input.members.filter((m) => m.role === 'coachee').length > 1;
	const sharing = group ? (contract?.sharing ?? null) : null;
	const actions = reading.actions.map((a) => ({ ...a, goalId: a.goalId && goalIds.has(a.goalId) ? a.goalId : null }));
	return {
		engagement: { id: engagement.id, title: engagement.title, kind: engagement.kind, plannedSessions: engagement.planned_sessions },
		session: {
			id: session.id,
			kind: session.kind,
			number: session.number,
			scheduledAt: session.scheduled_at,
			startedAt: session.started_at,
			endedAt: input.endedAt,
			plannedMinutes: session.duration_minutes
		},
		participants: input.members.map((m) => ({ userId: m.userId, name: m.name, role: m.role })),
		next: next ? { id: next.id, number: next.number, scheduledAt: next.scheduled_at, durationMinutes: next.duration_minutes } : null,
		contract: contract && { version: contract.version, goals: contract.goals },
		// A group's coachees see of each other what their contract says; with everything shared there is nothing to hold back.
		...(sharing && !(sharing.names && sharing.actions && sharing.learningPoints) ? { sharing } : {}),
		shared: { actions, carriedOver: carried, learningPoints: reading.learningPoints, ...(reading.learningAuthors ? { learningAuthors: reading.learningAuthors } : {}), notes: reading.notes },
		coachOnly: { privateNotes: reading.privateNotes, promptsAsked: input.asked }
	};
}
