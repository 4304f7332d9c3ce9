/**
 * Taking due messages to send, one sender per row across instances: a claim
 * marks the row `sending`, counts the attempt and writes this instance's
 * lease. Due is a `pending` row whose time has come, or a `sending` row whose
 * lease ran out (its sender died; a row from before leases has none).
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Database, Dialect, MailJobRow } from '../store/index.ts';

/** A row this instance holds the lease on, as it is now in the database. */
export type Claimed = MailJobRow;

const due = (now: number) => (eb: ExpressionBuilder<Database, 'mail_jobs'>) =>
	eb.or([
		eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
		eb.and([eb('status', '=', 'sending'), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])])
	]);

export async function claimDue(opts: { db: Kysely<Database>; dialect: Dialect['kind']; owner: string; free: number }): Promise<Claimed[]> {
	const { db, owner, free } = opts;
	const now = Date.now();
	const lease = { lease_owner: owner, lease_until: now + limits.clusterJobs.mailLeaseMs };
	if (opts.dialect === 'postgres') {
		// Locked rows are another instance's claim in progress: skipped, not waited for. The CTE runs once.
		return db
			.with('picked', (q) => q.selectFrom('mail_jobs').select('id').where(due(now)).orderBy('next_attempt_at').limit(free).forUpdate().skipLocked())
			.updateTable('mail_jobs')
			.set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), ...lease }))
			.where('id', 'in', (eb) => eb.selectFrom('picked').select('id'))
			.returningAll()
			.execute();
	}
	// SQLite has one writer: a guarded update per row keeps one claim per message even if drains overlap.
	const rows = await db.selectFrom('mail_jobs').selectAll().where(due(now)).orderBy('next_attempt_at').limit(free).execute();
	const claimed: Claimed[] = [];
	for (const job of rows) {
		const r = await db
			.updateTable('mail_jobs')
			.set({ status: 'sending', attempts: job.attempts + 1, ...lease })
			.where('id', '=', job.id)
			.where('status', '=', job.status)
			.where('attempts', '=', job.attempts)
			.executeTakeFirst();
		if (Number(r.numUpdatedRows) === 1) claimed.push({ ...job, status: 'sending', attempts: job.attempts + 1, ...lease });
	}
	return claimed;
}
