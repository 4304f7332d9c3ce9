/**
 * Reminders before a session: each person's choice (default 24 h and 1 h,
 * or none), planned as one scheduler job per session, person and offset
 * when the session is scheduled, and re-planned when the person changes
 * their choice. The job queues the email under a unique key, so a job run
 * twice (a crash after queueing) still sends one email, and a mail server
 * that is down only delays it (the mail queue retries).
 */
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../config/index.ts';
import type { CoachingSessionRow, Database } from '../store/index.ts';
import type { NewJob, Scheduler } from '../scheduler/index.ts';

export const REMINDER_JOB = 'session-reminder';

type Db = Kysely<Database> | Transaction<Database>;

export const reminderSubject = (sessionId: string, userId: string, minutes: number) => `${sessionId}|${userId}|${minutes}`;

export function parseReminderSubject(subject: string): { sessionId: string; userId: string; minutes: number } | null {
	const [sessionId, userId, m] = subject.split('|');
	const minutes = Number(m);
	return sessionId && userId && Number.isInteger(minutes) && minutes > 0 ? { sessionId, userId, minutes } : null;
}

const parseOffsets = (json: string): number[] => {
	try {
		const v: unknown = JSON.parse(json);
		return Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n) && n > 0) : [...limits.rhythm.defaultReminderMinutes];
	} catch {
		return [...limits.rhythm.defaultReminderMinutes];
	}
};

/** Minutes before a session each person wants reminding; the default for those who never chose. */
export async function offsetsOf(db: Db, userIds: string[]): Promise<Map<string, number[]>> {
	const out = new Map(userIds.map((id) => [id, [...limits.rhythm.defaultReminderMinutes] as number[]]));
	if (userIds.length === 0) return out;
	const rows = await db.selectFrom('reminder_preferences').select(['user_id', 'offsets']).where('user_id', 'in', userIds).execute();
	for (const r of rows) out.set(r.user_id, parseOffsets(r.offsets));
	return out;
}

/** The reminder jobs for these sessions and people, skipping any whose time has passed. */
export function reminderJobs(sessions: Pick<CoachingSessionRow, 'id' | 'scheduled_at' | 'status'>[], offsets: Map<string, number[]>, now: number): NewJob[] {
	const jobs: NewJob[] = [];
	for (const s of sessions) {
		if (s.status !== 'scheduled') continue;
		for (const [userId, minutes] of offsets) {
			for (const m of minutes) {
				const runAt = s.scheduled_at - m * 60_000;
				if (runAt > now) jobs.push({ kind: REMINDER_JOB, subject: reminderSubject(s.id, userId, m), runAt });
			}
		}
	}
	return jobs;
}

export async function planReminders(trx: Db, scheduler: Pick<Scheduler, 'enqueue' | 'now'>, sessions: CoachingSessionRow[], memberIds: string[]): Promise<void> {
	const offsets = await offsetsOf(trx, memberIds);
	await scheduler.enqueue(trx, reminderJobs(sessions, offsets, scheduler.now()));
}

/** Stores a person's choice and re-plans their reminders for the sessions still ahead. */
export async function setOffsets(
	db: Kysely<Database>,
	scheduler: Pick<Scheduler, 'enqueue' | 'cancel' | 'pending' | 'now'>,
	userId: string,
	minutes: number[],
	upcoming: Pick<CoachingSessionRow, 'id' | 'scheduled_at' | 'status'>[]
): Promise<void> {
	const now = scheduler.now();
	const pending = (await scheduler.pending(REMINDER_JOB)).filter((j) => parseReminderSubject(j.subject)?.userId === userId && j.state === 'pending');
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('reminder_preferences')
			.values({ user_id: userId, offsets: JSON.stringify(minutes), updated_at: now })
			.onConflict((oc) => oc.column('user_id').doUpdateSet({ offsets: JSON.stringify(minutes), updated_at: now }))
			.execute();
		await scheduler.cancel(trx, REMINDER_JOB, pending.map((j) => j.subject));
		await scheduler.enqueue(trx, reminderJobs(upcoming, new Map([[userId, minutes]]), now));
	});
}
