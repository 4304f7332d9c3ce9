/**
 * Ending a session, exactly once. A durable `session_endings` row is written
 * first, with a scheduler job that checks on it later; then the instance
 * completing it takes the row's lease; then the session is marked ended;
 * then summary version 1 is recorded with its rendered copies (one
 * transaction), and its emails are queued and the ending marked complete
 * (another).
 * Whatever step a crash interrupts, whichever instance comes next finishes
 * the job (the check-on job once the lease runs out, or a start), and the
 * unique (session, version) key means a retry can never make a second
 * summary. Concurrent requests in this process share one promise; a request
 * on another instance waits for the holder's summary.
 */
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, SessionEndingRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Rooms } from '../rooms/index.ts';
import type { MailService } from '../mail/index.ts';
import { roomName } from '../rooms/index.ts';
import { newId } from '../auth/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { Ended } from '../../shared/protocol/index.ts';
import { buildContent } from './build.ts';
import type { SummarySources } from './sources.ts';
import { failpointAsync } from '../failpoints/index.ts';
import type { Renderings } from './renderings.ts';
import type { Scheduler } from '../scheduler/index.ts';
import { endingLeases } from './ending-leases.ts';

/** The scheduler job that finishes an ending whose instance died (subject: the session id). */
export const ENDING_JOB = 'summary-ending';

export type EndedBy = { userId: string } | 'empty-room';

/** Told once a session's ending is recorded, in the same transaction; it may run again for the same session (a retry after a crash). */
export type AfterEnd = (trx: Transaction<Database>, ended: { sessionId: string; endedAt: number; memberIds: string[] }) => Promise<void>;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
		p.then(
			(v) => (clearTimeout(t), resolve(v)),
			(e) => (clearTimeout(t), reject(e))
		);
	});
}

export function createEnding(deps: {
	db: Kysely<Database>;
	log: Logger;
	engagements: Engagements;
	rooms: Rooms;
	mail: MailService;
	sources: () => SummarySources;
	renderings: Renderings;
	/** The engagement's sponsors (the sponsors feature), for a three-way meeting's summary. */
	sponsors: (engagementId: string) => Promise<{ userId: string; name: string; email: string }[]>;
	/** Inside the transaction that queues the summary's emails (the feedback feature plans its reminders). */
	afterEnd?: AfterEnd;
	scheduler: Scheduler;
	/** This instance's name on leases (server/scheduler/owner.ts). */
	owner: string;
	/** No other instance shares the database: leases left by an earlier start are nobody's. */
	alone: boolean;
}) {
	const { db, engagements, rooms, mail, scheduler } = deps;
	const log = deps.log.child({ feature: 'summary' });
	const leases = endingLeases(db, deps.owner);
	const running = new Map<string, Promise<Result<string>>>();
	const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
	let closed = false;

	/** Records summary v1 and its emails for an ending row; safe to run any number of times. */
	async function complete(ending: SessionEndingRow): Promise<Result<string>> {
		const sessionId = ending.session_id;
		if (ending.completed_at !== null && ending.summary_id) return ok(ending.summary_id);
		await engagements.setSessionStatus(sessionId, 'ended', ending.requested_at);
		const record = await engagements.sessionRecord(sessionId);
		if (!record) throw new Error(`session ${sessionId} is not on record`);
		const { session } = record;
		const members = await engagements.members(session.engagement_id);
		// A three-way meeting's summary goes to its sponsor too, named among the participants.
		const sponsors = session.kind === 'three_way' ? await deps.sponsors(session.engagement_id) : [];
		const people = [...members, ...sponsors.map((p) => ({ ...p, role: 'sponsor' as const }))];
		let summaryId = (await db.selectFrom('summaries').select('id').where('session_id', '=', sessionId).where('version', '=', 1).executeTakeFirst())?.id;
		if (!summaryId) {
			const sources = deps.sources();
			const [state, asked] = await Promise.all([
				withTimeout(sources.padFinalState(sessionId), limits.summary.padFinalStateTimeoutMs, 'reading the final pad state'),
				sources.promptsAsked(sessionId)
			]);
			const endedAt = session.ended_at ?? ending.requested_at;
			const content = await buildContent({ db, engagements }, sources, { sessionId, endedAt, members: people, state, asked });
			// Serialised once: the record stores it and the render thread parses its own copy.
			const json = JSON.stringify(content);
			const rendered = await deps.renderings.render(json, { version: 1, correctionNote: null }, sessionId);
			const mine = newId();
			summaryId = await db.transaction().execute(async (trx) => {
				await trx
					.insertInto('summaries')
					.values({
						id: mine,
						session_id: sessionId,
						engagement_id: session.engagement_id,
						version: 1,
						reason: ending.reason,
						created_by: ending.requested_by,
						created_at: Date.now(),
						correction_note: null,
						content: json,
						shared_state: state.shared,
						private_state: state.private
					})
					.onConflict((oc) => oc.columns(['session_id', 'version']).doNothing())
					.execute();
				// Another process (or an earlier run) may have won: use whichever version 1 exists, with its own renderings.
				const winner = (await trx.selectFrom('summaries').select('id').where('session_id', '=', sessionId).where('version', '=', 1).executeTakeFirstOrThrow()).id;
				if (winner === mine) await deps.renderings.store(trx, mine, rendered);
				return winner;
			});
		}
		const id = summaryId;
		await db.transaction().execute(async (trx) => {
			await mail.enqueue(
				trx,
				people.map((m) => ({ kind: 'summary' as const, subjectId: id, userId: m.userId, toName: m.name, toAddress: m.email }))
			);
			await deps.afterEnd?.(trx, { sessionId, endedAt: session.ended_at ?? ending.requested_at, memberIds: members.map((m) => m.userId) });
			await trx.updateTable('session_endings').set({ summary_id: id, completed_at: Date.now(), lease_owner: null, lease_until: null }).where('session_id', '=', sessionId).execute();
			// Ended: auto-end has nothing left to watch.
			await trx.deleteFrom('session_vacancies').where('session_id', '=', sessionId).execute();
		});
		mail.kick();
		rooms.io.to(roomName(sessionId)).emit('session:ended', { sessionId, summaryId: id });
		log.info({ session: sessionId, summary: id, reason: ending.reason }, 'session ended; summary recorded');
		return ok(id);
	}

	/** Completes an ending we hold the lease on, renewing it meanwhile; failures are retried in the background. */
	async function completeHeld(ending: SessionEndingRow): Promise<Result<string>> {
		const sessionId = ending.session_id;
		await failpointAsync('summary.afterEndingClaimed');
		const renew = setInterval(() => void leases.renew(sessionId).catch((err: unknown) => log.warn({ err, session: sessionId }, 'could not renew the ending lease')), limits.clusterJobs.endingLeaseRenewMs);
		renew.unref();
		try {
			return await complete(ending);
		} catch (err) {
			log.error({ err, session: sessionId }, 'completing the session end failed; will retry');
			await leases.release(sessionId).catch((e: unknown) => log.warn({ err: e, session: sessionId }, 'could not release the ending lease'));
			scheduleRetry(sessionId);
			return fail('unavailable', 'The session has ended, but its summary is not recorded yet. It will be completed automatically; nothing is lost.');
		} finally {
			clearInterval(renew);
		}
	}

	/** Completes the ending here, or waits up to `waitMs` for the instance holding it to record the summary. */
	async function settle(sessionId: string, waitMs: number): Promise<Result<string>> {
		const until = Date.now() + waitMs;
		for (;;) {
			const row = await db.selectFrom('session_endings').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
			if (!row) return fail('not_found', 'This session is not ending.');
			if (row.completed_at !== null && row.summary_id) return ok(row.summary_id);
			const held = await leases.claim(sessionId);
			if (held) return completeHeld(held);
			if (closed || Date.now() >= until) {
				return fail('unavailable', 'The session has ended; its summary is being recorded by another server and will be on the engagement page shortly. Nothing is lost.');
			}
			await new Promise((r) => setTimeout(r, limits.clusterJobs.endingPollMs));
		}
	}

	/** Runs (or joins) the completion of a session's ending in this process. */
	function completeOnce(sessionId: string, waitMs: number = limits.clusterJobs.endingWaitMs): Promise<Result<string>> {
		const existing = running.get(sessionId);
		if (existing) return existing;
		const p = settle(sessionId, waitMs).finally(() => running.delete(sessionId));
		running.set(sessionId, p);
		return p;
	}

	function scheduleRetry(sessionId: string) {
		if (closed || retryTimers.has(sessionId)) return;
		const t = setTimeout(() => {
			retryTimers.delete(sessionId);
			void completeOnce(sessionId);
		}, limits.summary.endingRetryMs);
		t.unref();
		retryTimers.set(sessionId, t);
	}

	async function end(sessionId: string, by: EndedBy): Promise<Result<Ended>> {
		const session = (await engagements.sessionRecord(sessionId))?.session;
		if (!session) return fail('not_found', 'This session does not exist.');
		if (by !== 'empty-room') {
			const role = (await engagements.membership(by.userId, { engagementId: session.engagement_id }))?.role;
			if (!role) return fail('not_found', 'This session does not exist or you are not part of its engagement.');
			if (role !== 'coach') return fail('forbidden', 'Only the coach can end the session. You can leave it at any time.');
		}
		const before = await db.selectFrom('session_endings').select('session_id').where('session_id', '=', sessionId).executeTakeFirst();
		if (!before) {
			if (session.status === 'cancelled') return fail('conflict', 'This session was cancelled, so there is nothing to end or summarise.');
			if (session.status === 'scheduled') {
				return fail('conflict', 'This session has not started yet, so there is nothing to end or summarise. It starts when someone joins it near its booked time, or when the coach starts it.');
			}
			if (by === 'empty-room' && session.status !== 'live') return fail('conflict', 'This session is not live.');
			await db.transaction().execute(async (trx) => {
				await trx
					.insertInto('session_endings')
					.values({
						session_id: sessionId,
						reason: by === 'empty-room' ? 'auto-ended' : 'ended',
						requested_by: by === 'empty-room' ? null : by.userId,
						requested_at: Date.now(),
						summary_id: null,
						completed_at: null
					})
					.onConflict((oc) => oc.column('session_id').doNothing())
					.execute();
				// Durable with the ending: if the instance completing it dies, this job finishes it elsewhere.
				await scheduler.enqueue(trx, [{ kind: ENDING_JOB, subject: sessionId, runAt: scheduler.now() + limits.clusterJobs.endingLeaseMs }]);
			});
			await failpointAsync('summary.afterEndMarked');
		}
		const alreadyEnded = !!before || running.has(sessionId);
		const r = await completeOnce(sessionId);
		return r.ok ? ok({ summaryId: r.value, alreadyEnded }) : r;
	}

	return {
		end,
		/** Takes back its own earlier leases and finishes endings a crash interrupted (others' are left to their holders and the check-on job). */
		async start() {
			scheduler.register(ENDING_JOB, async (job) => {
				const r = await completeOnce(job.subject);
				// Thrown: the scheduler tries again with backoff.
				if (!r.ok && r.error.code !== 'not_found') throw new Error(r.error.message);
			});
			await leases.takeBack(deps.alone);
			const unfinished = await db.selectFrom('session_endings').select('session_id').where('completed_at', 'is', null).execute();
			for (const { session_id } of unfinished) {
				log.info({ session: session_id }, 'completing a session end interrupted by a restart');
				void completeOnce(session_id, 0);
			}
		},
		async close() {
			closed = true;
			for (const t of retryTimers.values()) clearTimeout(t);
			await Promise.allSettled([...running.values()]);
		}
	};
}

export type Ending = ReturnType<typeof createEnding>;
