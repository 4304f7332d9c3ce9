/**
 * Preparing for a session: the coachee says what they want from it, how
 * each open action went (status and a comment) and anything the coach
 * should know; the coach keeps a private note. The coachee's preparation is
 * the coach's agenda in the room; nobody else ever reads it, and the coach's
 * note is the coach's alone.
 */
import type { Kysely } from 'kysely';
import type { Database, SessionPreparationRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { CarriedAction } from '../../shared/pad/index.ts';
import { coachPreparationForm, coacheePreparationForm, type Agenda, type PreparationView, type PreparedAction } from '../../shared/rhythm/index.ts';

export type { PreparationView };

const parseActions = (json: string): PreparedAction[] => {
	try {
		const v: unknown = JSON.parse(json);
		return Array.isArray(v) ? (v as PreparedAction[]) : [];
	} catch {
		return [];
	}
};

export function createPreparations(deps: {
	db: Kysely<Database>;
	engagements: Pick<Engagements, 'membership' | 'members'>;
	openActions(engagementId: string): Promise<CarriedAction[]>;
}) {
	const { db, engagements } = deps;
	const NOT_YOURS = 'This session is not one of yours: only the people in the engagement can prepare for it.';

	const rowOf = async (sessionId: string, userId: string) =>
		(await db.selectFrom('session_preparations').selectAll().where('session_id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst()) ?? null;

	async function view(sessionId: string, userId: string): Promise<Result<PreparationView>> {
		const m = await engagements.membership(userId, { sessionId });
		if (!m?.session) return fail('not_found', NOT_YOURS);
		const row = await rowOf(sessionId, userId);
		const said = new Map(parseActions(row?.actions ?? '[]').map((a) => [a.actionId, a]));
		const open = m.role === 'coachee' ? await deps.openActions(m.engagement.id) : [];
		const s = m.session;
		return ok({
			role: m.role,
			session: { id: s.id, number: s.number, kind: s.kind, scheduled_at: s.scheduled_at, duration_minutes: s.duration_minutes, status: s.status },
			engagement: { id: m.engagement.id, title: m.engagement.title, plannedSessions: m.engagement.planned_sessions },
			want: row?.want ?? '',
			forCoach: row?.for_coach ?? '',
			actions: open.map((a) => ({
				actionId: a.id,
				text: a.text,
				status: said.get(a.id)?.status ?? a.status,
				comment: said.get(a.id)?.comment ?? '',
				due: a.due,
				fromSessionNumber: a.fromSessionNumber
			})),
			privateNote: m.role === 'coach' ? (row?.private_note ?? '') : '',
			updatedAt: row?.updated_at ?? null
		});
	}

	async function save(sessionId: string, userId: string, input: unknown): Promise<Result<true>> {
		const m = await engagements.membership(userId, { sessionId });
		if (!m?.session) return fail('not_found', NOT_YOURS);
		if (m.session.status === 'ended') return fail('conflict', 'This session has ended; its preparation can no longer change.');
		const now = Date.now();
		let row: SessionPreparationRow;
		if (m.role === 'coach') {
			const parsed = coachPreparationForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			row = { session_id: sessionId, user_id: userId, role: 'coach', want: '', actions: '[]', for_coach: '', private_note: parsed.data.privateNote, updated_at: now };
		} else {
			const parsed = coacheePreparationForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const open = new Map((await deps.openActions(m.engagement.id)).map((a) => [a.id, a]));
			const actions: PreparedAction[] = parsed.data.actions.flatMap((a) => {
				const known = open.get(a.actionId);
				return known ? [{ actionId: a.actionId, text: known.text, status: a.status, comment: a.comment }] : [];
			});
			row = { session_id: sessionId, user_id: userId, role: 'coachee', want: parsed.data.want, actions: JSON.stringify(actions), for_coach: parsed.data.forCoach, private_note: '', updated_at: now };
		}
		const { session_id: _s, user_id: _u, ...patch } = row;
		await db
			.insertInto('session_preparations')
			.values(row)
			.onConflict((oc) => oc.columns(['session_id', 'user_id']).doUpdateSet(patch))
			.execute();
		return ok(true);
	}

	async function agenda(sessionId: string, userId: string): Promise<Agenda | null> {
		const m = await engagements.membership(userId, { sessionId });
		if (!m?.session || m.role !== 'coach') return null;
		const rows = await db.selectFrom('session_preparations').selectAll().where('session_id', '=', sessionId).execute();
		const names = new Map((await engagements.members(m.engagement.id)).map((p) => [p.userId, p.name]));
		return {
			items: rows
				.filter((r) => r.role === 'coachee')
				.map((r) => ({ userId: r.user_id, name: names.get(r.user_id) ?? 'A former participant', want: r.want, forCoach: r.for_coach, actions: parseActions(r.actions), updatedAt: r.updated_at })),
			privateNote: rows.find((r) => r.user_id === userId)?.private_note ?? ''
		};
	}

	return { view, save, agenda };
}
