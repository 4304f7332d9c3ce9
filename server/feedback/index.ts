/**
 * Feedback after each session (issue 14, part 1). Once a session has ended,
 * the coachee answers three short, optional questions (how useful it was,
 * 1 to 5; what helped; what could be better) and the coach writes a private
 * reflection and, if they like, a note to the coachee; either may choose
 * "not this time", and anyone may edit their own answer later. It is kept
 * beside the session, never in its summary (summaries stay as recorded).
 *
 * Who reads what: a coachee's answers, that coachee and the coach; the
 * coach's note, the coach and the coachees; the coach's reflection, the
 * coach alone. Anyone else (sponsor, scheme coordinator, stranger) is told
 * the session does not exist.
 *
 * One reminder at most: when a session ends, a scheduler job per person is
 * planned for `limits.feedback.reminderAfterMs` later; it queues an email
 * only if that person has neither answered nor declined, under a unique key,
 * so however often it runs it sends once.
 *
 * Offers `createFeedback(deps)` with `view`, `give`, `decline`,
 * `onSessionEnded` (inside the transaction that records the ending) and
 * `start` (registers the job and the email). This folder owns `session_feedback`.
 */
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, SessionFeedbackRow } from '../store/index.ts';
import type { Engagements, Membership } from '../engagements/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { coachFeedbackForm, coacheeFeedbackForm, type FeedbackView } from '../../shared/feedback/index.ts';
import { registerFeedbackMail } from './mail.ts';

export type { FeedbackView } from '../../shared/feedback/index.ts';

export const FEEDBACK_REMINDER_JOB = 'feedback-reminder';

export interface Feedback {
	/** What this person sees of the session's feedback; not_found for anyone outside the engagement, conflict before it ended. */
	view(sessionId: string, userId: string): Promise<Result<FeedbackView>>;
	/** Saves (or replaces) this person's own answers. */
	give(sessionId: string, userId: string, input: unknown): Promise<Result<FeedbackView>>;
	/** "Not this time": no reminder; answering later is still possible. */
	decline(sessionId: string, userId: string): Promise<Result<FeedbackView>>;
	/** Inside the transaction that records a session's ending: plans each person's one reminder. */
	onSessionEnded(trx: Transaction<Database>, ended: { sessionId: string; endedAt: number; memberIds: string[] }): Promise<void>;
	start(): void;
}

export interface FeedbackDeps {
	db: Kysely<Database>;
	log: Logger;
	mail: Pick<MailQueue, 'enqueue' | 'kick' | 'register'>;
	scheduler: Pick<Scheduler, 'enqueue' | 'register' | 'kick'>;
	origin: string | undefined;
	engagements: Pick<Engagements, 'membership' | 'members' | 'sessionRecord'>;
}

const NOT_YOURS = 'No such session, or you were not part of it: feedback is given only by the people in the session.';
const reminderSubject = (sessionId: string, userId: string) => `${sessionId}|${userId}`;

export function createFeedback(deps: FeedbackDeps): Feedback {
	const { db, engagements } = deps;
	const log = deps.log.child({ feature: 'feedback' });

	/** Membership by the session, the one check; the session must have ended. */
	async function access(sessionId: string, userId: string): Promise<Result<Membership & { session: NonNullable<Membership['session']> }>> {
		const m = await engagements.membership(userId, { sessionId });
		if (!m?.session) return fail('not_found', NOT_YOURS);
		if (m.session.status !== 'ended') return fail('conflict', 'Feedback opens once the session has ended; come back after it.');
		return ok({ ...m, session: m.session });
	}

	async function viewFor(m: Membership & { session: NonNullable<Membership['session']> }, userId: string): Promise<FeedbackView> {
		const rows = await db.selectFrom('session_feedback').selectAll().where('session_id', '=', m.session.id).execute();
		const names = new Map((await engagements.members(m.engagement.id)).map((p) => [p.userId, p.name]));
		const nameOf = (id: string) => names.get(id) ?? 'A former participant';
		const mine = rows.find((r) => r.user_id === userId);
		const coachRow = rows.find((r) => r.role === 'coach');
		const role = m.role === 'coach' ? 'coach' : 'coachee';
		return {
			sessionId: m.session.id,
			role,
			state: mine?.state ?? 'open',
			mine: {
				usefulness: mine?.usefulness ?? null,
				helped: mine?.helped ?? '',
				better: mine?.better ?? '',
				// The reflection goes back to its writer only.
				reflection: role === 'coach' ? (mine?.reflection ?? '') : '',
				noteToCoachee: role === 'coach' ? (mine?.note_to_coachee ?? '') : '',
				updatedAt: mine?.updated_at ?? null
			},
			coachees:
				role === 'coach'
					? rows
							.filter((r) => r.role === 'coachee' && r.state === 'given')
							.map((r) => ({ userId: r.user_id, name: nameOf(r.user_id), usefulness: r.usefulness, helped: r.helped, better: r.better, updatedAt: r.updated_at }))
					: [],
			noteFromCoach: coachRow && coachRow.state === 'given' && coachRow.note_to_coachee ? { name: nameOf(coachRow.user_id), text: coachRow.note_to_coachee, updatedAt: coachRow.updated_at } : null
		};
	}

	async function save(row: SessionFeedbackRow) {
		const { session_id: _s, user_id: _u, created_at: _c, ...patch } = row;
		await db
			.insertInto('session_feedback')
			.values(row)
			.onConflict((oc) => oc.columns(['session_id', 'user_id']).doUpdateSet(patch))
			.execute();
	}

	const blank = { usefulness: null, helped: '', better: '', reflection: '', note_to_coachee: '' };

	return {
		async view(sessionId, userId) {
			const m = await access(sessionId, userId);
			return m.ok ? ok(await viewFor(m.value, userId)) : m;
		},

		async give(sessionId, userId, input) {
			const m = await access(sessionId, userId);
			if (!m.ok) return m;
			const { session, engagement, role } = m.value;
			const now = Date.now();
			const base = { session_id: session.id, user_id: userId, engagement_id: engagement.id, state: 'given' as const, created_at: now, updated_at: now };
			if (role === 'coach') {
				const parsed = coachFeedbackForm.safeParse(input);
				if (!parsed.success) return invalidForm(parsed.error);
				await save({ ...base, ...blank, role: 'coach', reflection: parsed.data.reflection, note_to_coachee: parsed.data.noteToCoachee });
			} else {
				const parsed = coacheeFeedbackForm.safeParse(input);
				if (!parsed.success) return invalidForm(parsed.error);
				await save({ ...base, ...blank, role: 'coachee', usefulness: parsed.data.usefulness, helped: parsed.data.helped, better: parsed.data.better });
			}
			log.info({ session: session.id, user: userId, role }, 'feedback given');
			return ok(await viewFor(m.value, userId));
		},

		async decline(sessionId, userId) {
			const m = await access(sessionId, userId);
			if (!m.ok) return m;
			const { session, engagement, role } = m.value;
			const existing = await db.selectFrom('session_feedback').select('state').where('session_id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
			// Declining after answering keeps the answers: "not this time" only stops the reminder.
			if (existing?.state !== 'given') {
				const now = Date.now();
				await save({ session_id: session.id, user_id: userId, engagement_id: engagement.id, role: role === 'coach' ? 'coach' : 'coachee', state: 'declined', ...blank, created_at: now, updated_at: now });
			}
			return ok(await viewFor(m.value, userId));
		},

		async onSessionEnded(trx, ended) {
			const runAt = ended.endedAt + limits.feedback.reminderAfterMs;
			await deps.scheduler.enqueue(
				trx,
				ended.memberIds.map((userId) => ({ kind: FEEDBACK_REMINDER_JOB, subject: reminderSubject(ended.sessionId, userId), runAt }))
			);
		},

		start() {
			registerFeedbackMail(deps.mail, engagements, deps.origin);
			deps.scheduler.register(FEEDBACK_REMINDER_JOB, async (job) => {
				const [sessionId, userId] = job.subject.split('|');
				if (!sessionId || !userId) return;
				const given = await db.selectFrom('session_feedback').select('state').where('session_id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
				if (given) return log.info({ session: sessionId, user: userId, state: given.state }, 'no feedback reminder: already answered or declined');
				const m = await engagements.membership(userId, { sessionId });
				if (!m?.session || m.session.status !== 'ended') return;
				const me = (await engagements.members(m.engagement.id)).find((p) => p.userId === userId);
				if (!me) return;
				// Unique (kind, session, person) in the mail queue: a job run twice still sends one email.
				await deps.mail.enqueue(db, [{ kind: 'feedback_reminder', subjectId: sessionId, userId, toName: me.name, toAddress: me.email }]);
				deps.mail.kick();
				log.info({ session: sessionId, user: userId }, 'feedback reminder queued');
			});
		}
	};
}
