/**
 * Assembles a summary's content on the server from the session's records and
 * the pad's final state: who, when, what was agreed, what happened to last
 * time's actions, and what comes next.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Member } from '../engagements/index.ts';
import { parseContent, type CarriedAction, type SummaryContent, type AskedPrompt } from './content.ts';
import type { PadFinalState, PadReading, SummarySources } from './sources.ts';
import { previousSummary } from './reads.ts';

/** Actions still open at the end of the engagement's previous summarised session, with where they came from. */
async function openFromLastTime(db: Kysely<Database>, engagementId: string, beforeNumber: number): Promise<CarriedAction[]> {
	const prev = await previousSummary(db, engagementId, beforeNumber);
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

export async function buildContent(
	db: Kysely<Database>,
	sources: SummarySources,
	input: { sessionId: string; endedAt: number; members: Member[]; state: PadFinalState; asked: AskedPrompt[] }
): Promise<SummaryContent> {
	const session = await db.selectFrom('coaching_sessions').selectAll().where('id', '=', input.sessionId).executeTakeFirstOrThrow();
	const engagement = await db.selectFrom('engagements').selectAll().where('id', '=', session.engagement_id).executeTakeFirstOrThrow();
	const next = await db
		.selectFrom('coaching_sessions')
		.select(['id', 'number', 'scheduled_at', 'duration_minutes'])
		.where('engagement_id', '=', engagement.id)
		.where('status', '=', 'scheduled')
		.where('scheduled_at', '>', input.endedAt)
		.orderBy('scheduled_at')
		.limit(1)
		.executeTakeFirst();
	const reading = sources.readPad(input.state, input.members.map((m) => ({ userId: m.userId, name: m.name, role: m.role })));
	const carried = reviewCarried(await openFromLastTime(db, engagement.id, session.number), reading);
	return {
		engagement: { id: engagement.id, title: engagement.title, kind: engagement.kind, plannedSessions: engagement.planned_sessions },
		session: {
			id: session.id,
			number: session.number,
			scheduledAt: session.scheduled_at,
			startedAt: session.started_at,
			endedAt: input.endedAt,
			plannedMinutes: session.duration_minutes
		},
		participants: input.members.map((m) => ({ userId: m.userId, name: m.name, role: m.role })),
		next: next ? { id: next.id, number: next.number, scheduledAt: next.scheduled_at, durationMinutes: next.duration_minutes } : null,
		shared: { actions: reading.actions, carriedOver: carried, learningPoints: reading.learningPoints, notes: reading.notes },
		coachOnly: { privateNotes: reading.privateNotes, promptsAsked: input.asked }
	};
}
