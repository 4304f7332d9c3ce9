/**
 * Auto-end from a durable "empty since": when the last person leaves a live
 * session (the rooms' `empty` event) the time is written to
 * `session_vacancies` with a scheduler job due `emptySessionEndMs` later, in
 * one transaction; a join anywhere removes the row. The job runs once across
 * instances (the scheduler's claim) and checks again before ending: the row
 * must still be there and old enough, and nobody may be in the session on
 * any instance (occupancy.ts); someone there (a missed join) puts the check
 * off by another `emptySessionEndMs`. At start, an instance only writes an
 * "empty since now" for live sessions with none and nobody in them: it never
 * ends a session because it merely sees it empty.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms } from '../rooms/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { Result } from '../../shared/result.ts';
import type { Ended } from '../../shared/protocol/index.ts';
import type { Occupancy } from './occupancy.ts';

/** The scheduler job that ends an empty session; subject `<sessionId>|<due time>`. */
export const AUTO_END_JOB = 'summary-auto-end';

export function createAutoEnd(deps: {
	db: Kysely<Database>;
	log: Logger;
	rooms: Pick<Rooms, 'events'>;
	engagements: Pick<Engagements, 'liveSessionIds'>;
	scheduler: Scheduler;
	occupancy: Occupancy;
	emptyMs: number;
	end: (sessionId: string) => Promise<Result<Ended>>;
}) {
	const { db, scheduler, occupancy } = deps;
	const log = deps.log.child({ feature: 'summary', part: 'auto-end' });
	const check = (sessionId: string, at: number) => ({ kind: AUTO_END_JOB, subject: `${sessionId}|${at}`, runAt: at });

	/** Records "empty since" (`fresh`: now, replacing an older one; else only if none) and the check that follows. */
	async function markEmpty(sessionId: string, fresh: boolean): Promise<void> {
		const now = scheduler.now();
		await db.transaction().execute(async (trx) => {
			await trx
				.insertInto('session_vacancies')
				.values({ session_id: sessionId, empty_since: now })
				.onConflict((oc) => (fresh ? oc.column('session_id').doUpdateSet({ empty_since: now }) : oc.column('session_id').doNothing()))
				.execute();
			const row = await trx.selectFrom('session_vacancies').select('empty_since').where('session_id', '=', sessionId).executeTakeFirstOrThrow();
			// The same subject for the same "empty since": instances starting together plan one check.
			await scheduler.enqueue(trx, [check(sessionId, row.empty_since + deps.emptyMs)]);
		});
		scheduler.kick();
	}

	async function onEmpty(sessionId: string) {
		await markEmpty(sessionId, true);
		log.info({ session: sessionId }, 'session empty; it ends by itself unless someone joins');
	}

	async function onJoined(sessionId: string) {
		await db.deleteFrom('session_vacancies').where('session_id', '=', sessionId).execute();
	}

	async function run(subject: string, now: number): Promise<void> {
		const sessionId = subject.slice(0, subject.lastIndexOf('|'));
		const row = await db.selectFrom('session_vacancies').select('empty_since').where('session_id', '=', sessionId).executeTakeFirst();
		// Someone joined since, or it emptied again later (that time has its own check).
		if (!row || row.empty_since + deps.emptyMs > now) return;
		if (await occupancy.occupied(sessionId)) {
			log.info({ session: sessionId }, 'session marked empty but someone is in it; checking again later');
			await scheduler.enqueue(db, [check(sessionId, now + deps.emptyMs)]);
			return;
		}
		// Guarded: a join removing the row first wins.
		const taken = await db.deleteFrom('session_vacancies').where('session_id', '=', sessionId).where('empty_since', '=', row.empty_since).executeTakeFirst();
		if (Number(taken.numDeletedRows) !== 1) return;
		let r: Result<Ended>;
		try {
			r = await deps.end(sessionId);
		} catch (err) {
			// Nothing recorded (the database failed first): the session is watched again, and the job retried.
			await db.insertInto('session_vacancies').values({ session_id: sessionId, empty_since: row.empty_since }).onConflict((oc) => oc.column('session_id').doNothing()).execute();
			throw err;
		}
		if (!r.ok && r.error.code !== 'conflict') throw new Error(r.error.message);
		if (r.ok) log.info({ session: sessionId, summary: r.value.summaryId }, 'empty session ended by itself');
	}

	const report = (what: string, sessionId: string) => (err: unknown) => log.error({ err, session: sessionId }, what);

	return {
		async start() {
			scheduler.register(AUTO_END_JOB, (job, now) => run(job.subject, now));
			deps.rooms.events.on('empty', (id) => void onEmpty(id).catch(report('could not record that the session is empty', id)));
			deps.rooms.events.on('joined', (id) => void onJoined(id).catch(report('could not record a join for auto-end', id)));
			for (const id of await deps.engagements.liveSessionIds()) {
				if (!(await occupancy.occupied(id))) await markEmpty(id, false);
			}
		}
	};
}
