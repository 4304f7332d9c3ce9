/**
 * The closing's durable work. The report job (one per engagement, keyed by
 * its id) runs when everyone has evaluated or `limits.closing.reportAfterMs`
 * after the close: it stores the report once, then queues one email per
 * member under a unique (kind, engagement, person) key, and drafts the
 * sponsor's version for the coachee to approve. A crash anywhere in between
 * runs the job again; the stored report and the mail keys make that send
 * each email once. The follow-up job asks the coachees "did the change
 * last?" on the date the coach chose.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, MailJobRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { Result } from '../../shared/result.ts';
import { failpointAsync } from '../failpoints/index.ts';
import { buildReport, sponsorText, type ReportDeps } from './report.ts';
import { reportFileName, reportMarkdown, reportPdf, reportTitle } from './document.ts';
import { closingOf, evaluationsOf, storedReport, storeReport } from './store.ts';

export const REPORT_JOB = 'closing-report';
export const FOLLOW_UP_JOB = 'closing-follow-up';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export interface JobDeps extends ReportDeps {
	log: Logger;
	mail: Pick<MailQueue, 'register' | 'enqueue' | 'kick'>;
	scheduler: Pick<Scheduler, 'register' | 'enqueue' | 'kick'>;
	origin: string | undefined;
	hasSponsor(engagementId: string): Promise<boolean>;
	/** Drafts a sponsor update as the coach (the sponsors feature): the coachee approves it before the sponsor sees it. */
	draftSponsorUpdate(engagementId: string, coachId: string, text: string): Promise<Result<{ id: string }>>;
}

async function runReport(deps: JobDeps, engagementId: string, now: number): Promise<void> {
	const closing = await closingOf(deps.db, engagementId);
	if (closing?.state !== 'closed') return;
	const members = await deps.members(engagementId);
	if (!(await storedReport(deps.db, engagementId))) {
		const copies: Record<string, NonNullable<Awaited<ReturnType<typeof buildReport>>>> = {};
		for (const m of members) {
			const copy = await buildReport(deps, engagementId, m.userId);
			if (copy) copies[m.userId] = copy;
		}
		const everyone = new Set((await evaluationsOf(deps.db, engagementId)).map((e) => e.userId));
		const trigger = members.every((m) => everyone.has(m.userId)) ? 'complete' : 'timeout';
		await storeReport(deps.db, { engagement_id: engagementId, content: JSON.stringify({ copies }), trigger, stored_at: now });
		deps.log.info({ engagement: engagementId, trigger }, 'closing report stored');
	}
	await failpointAsync('closing.afterReportStored');
	await deps.mail.enqueue(deps.db, members.map((m) => ({ kind: 'closing_report' as const, subjectId: engagementId, userId: m.userId, toName: m.name, toAddress: m.email })));
	deps.mail.kick();
	await draftForSponsor(deps, engagementId, closing.sponsor_update_id);
}

async function draftForSponsor(deps: JobDeps, engagementId: string, draftedAlready: string | null): Promise<void> {
	if (draftedAlready || !(await deps.hasSponsor(engagementId))) return;
	const coach = (await deps.members(engagementId)).find((m) => m.role === 'coach');
	const report = coach ? (await storedReport(deps.db, engagementId))?.copies[coach.userId] : undefined;
	if (!coach || !report) return;
	// The coach's copy minus everything private: sponsorText takes only goals, dates and the close.
	const drafted = await deps.draftSponsorUpdate(engagementId, coach.userId, sponsorText(report, limits.closing.sponsorDraftChars));
	if (!drafted.ok) throw new Error(`the sponsor's version could not be drafted: ${drafted.error.message}`);
	await deps.db.updateTable('engagement_closings').set({ sponsor_update_id: drafted.value.id }).where('engagement_id', '=', engagementId).where('sponsor_update_id', 'is', null).execute();
}

export function registerClosingJobs(deps: JobDeps): void {
	deps.scheduler.register(REPORT_JOB, (job, now) => runReport(deps, job.subject, now));
	deps.scheduler.register(FOLLOW_UP_JOB, async (job) => {
		const closing = await closingOf(deps.db, job.subject);
		if (closing?.state !== 'closed' || closing.follow_up_at === null) return;
		const coachees = (await deps.members(job.subject)).filter((m) => m.role === 'coachee');
		await deps.mail.enqueue(deps.db, coachees.map((m) => ({ kind: 'closing_follow_up' as const, subjectId: job.subject, userId: m.userId, toName: m.name, toAddress: m.email })));
		deps.mail.kick();
		deps.log.info({ engagement: job.subject, coachees: coachees.length }, 'follow-up asked');
	});
	// Without ORIGIN the path alone still tells the reader where to go.
	const link = (engagementId: string, page = 'closing') => `${deps.origin ?? ''}/engagements/${engagementId}/${page}`;

	deps.mail.register('closing_report', async (job: MailJobRow): Promise<Mail.Options> => {
		const report = (await storedReport(deps.db, job.subject_id))?.copies[job.user_id];
		if (!report) throw permanent('There is no report for this recipient.');
		const md = reportMarkdown(report);
		const url = link(job.subject_id, 'report');
		return {
			subject: `Report: ${reportTitle(report)}`,
			text: `${md}\nThe report on the web, to print or download: ${url}\n`,
			attachments: [
				{ filename: reportFileName(report, 'md'), content: md, contentType: 'text/markdown; charset=utf-8' },
				{ filename: reportFileName(report, 'pdf'), content: await reportPdf(report), contentType: 'application/pdf' }
			]
		};
	});

	deps.mail.register('closing_follow_up', async (job) => {
		const plan = await deps.plan(job.subject_id);
		const url = link(job.subject_id, 'closing#follow-up');
		return {
			subject: `Did the change last? ${plan?.title ?? 'Your coaching'}`,
			text: `Some time has passed since your ${plan?.kind ?? 'coaching'} "${plan?.title ?? ''}" closed.\n\nDid the change last? Two questions, a minute at most: ${url}\n\nYour answers go to your coach.\n`
		};
	});

	deps.mail.register('closing_proposed', async (job) => {
		// Subject `<engagement>|<proposed at>`: each proposal is announced once.
		const [engagementId = ''] = job.subject_id.split('|');
		const closing = await closingOf(deps.db, engagementId);
		const plan = await deps.plan(engagementId);
		if (closing?.state !== 'proposed') throw permanent('The proposal to close was answered or withdrawn.');
		const url = link(engagementId);
		return {
			subject: `Closing proposed: ${plan?.title ?? 'your engagement'}`,
			text: `A proposal to close "${plan?.title ?? ''}" is waiting for your answer.\n\n${closing.note}\n\nAgree or decline: ${url}\n`
		};
	});
}

/** Plans the report for the days after close, and the follow-up if one was chosen (inside the closing's transaction). */
export async function planClosingJobs(trx: Kysely<Database>, scheduler: Pick<Scheduler, 'enqueue'>, engagementId: string, closedAt: number, followUpAt: number | null): Promise<void> {
	await scheduler.enqueue(trx, [
		{ kind: REPORT_JOB, subject: engagementId, runAt: closedAt + limits.closing.reportAfterMs },
		...(followUpAt !== null ? [{ kind: FOLLOW_UP_JOB, subject: engagementId, runAt: followUpAt }] : [])
	]);
}
