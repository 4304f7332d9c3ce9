/**
 * Session summaries. Offers `createSummaries(deps)` with:
 * - `end(sessionId, by)`: ends a session once (coach request or empty room),
 *   records summary version 1 from the pad's final state, queues both emails,
 *   and tells the room `session:ended`; any instance finishes an ending
 *   another was interrupted in (ending.ts, ending-leases.ts);
 * - auto-end of a live session left empty, from a durable "empty since"
 *   (auto-end.ts), never for a session someone is in on any instance
 *   (occupancy.ts);
 * - the socket events `session:end` and `session:end-check` (unsynced edits);
 * - reads for pages (`view`, `list`, `actionsByGoal`, `latestForSession`, `previousForSession`,
 *   `markdown`, `outbox`, `correctionDraft`),
 *   each checked against the reader's membership and role; pages, downloads
 *   and emails are served from the copies rendered once per version
 *   (renderings.ts), never rendered per view or per recipient;
 * - `correct`: a new version by the coach, never an overwrite;
 * - `retryDelivery`: send a failed email again.
 * `sources.ts` is the interface to the pad and prompts features.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database, EngagementRole } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { handle, type Rooms } from '../rooms/index.ts';
import type { MailService } from '../mail/index.ts';
import type { Ended } from '../../shared/protocol/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { createEnding, type AfterEnd, type EndedBy } from './ending.ts';
import { unsyncedEditsIn } from './end-check.ts';
import { summaryComposer, markdownFileName } from './compose.ts';
import { correctSummary, correctionMails, type CorrectionMails } from './correct.ts';
import { actionsByGoal, latestForSession, listForEngagement, outboxFileFor, outboxFor, previousForSession, readForViewer, recordedForCoach, summaryJobFor, versionsOf, type SummaryView } from './reads.ts';
import type { SummaryCopy } from './content.ts';
import type { GoalActions } from './reads.ts';
import { createCopyRenderer } from './copy-renderer.ts';
import { createRenderings } from './renderings.ts';
import { noSources, type SummarySources } from './sources.ts';
import { acrossEngagement, type EngagementRecord } from './across.ts';
import type { Scheduler } from '../scheduler/index.ts';
import { leaseOwner } from '../scheduler/owner.ts';
import type { Cluster } from '../cluster/index.ts';
import { createAutoEnd } from './auto-end.ts';
import { createOccupancy } from './occupancy.ts';

export type { SummarySources, PadFinalState, PadReading } from './sources.ts';
export type { SummaryView, VersionInfo, GoalActions } from './reads.ts';
export type { EngagementRecord } from './across.ts';
export type { Cut } from './bounds.ts';
export { noSources } from './sources.ts';
export { readCorrectionForm } from './correct.ts';
export type { CorrectionMails } from './correct.ts';

/** One session's summarised versions, as the engagement's summaries page lists them. */
export type SummaryListing = NonNullable<Awaited<ReturnType<typeof listForEngagement>>>;
export type OutboxMessage = Awaited<ReturnType<typeof outboxFor>>[number];

/** Session summaries as the server and the web app use them; this folder owns `summaries`, `summary_renderings` and `session_endings`. */
export interface Summaries {
	end(sessionId: string, by: EndedBy): Promise<Result<Ended>>;
	/** Finishes endings a restart interrupted, and starts the mail queue. */
	start(): Promise<void>;
	close(): Promise<void>;
	/** A summary in the reader's copy (notes as safe HTML rendered when it was recorded), with versions and, for the coach, delivery status; null when not theirs. */
	view(summaryId: string, userId: string): Promise<SummaryView | null>;
	/** The coach's full recorded copy (not bounded), for the correction form. */
	correctionDraft(summaryId: string, userId: string): Promise<SummaryCopy | null>;
	markdown(summaryId: string, userId: string): Promise<{ fileName: string; text: string } | null>;
	list(engagementId: string, userId: string): Promise<SummaryListing | null>;
	/** Actions tied to contract goals across the engagement's summaries, grouped by goal; null for a non-member. */
	actionsByGoal(engagementId: string, userId: string): Promise<GoalActions[] | null>;
	latestForSession(sessionId: string, userId: string): Promise<string | null>;
	previousForSession(sessionId: string, userId: string): Promise<{ id: string; number: number } | null>;
	/** For the coach: how many more times a correction may email this summary now (limits.summary.correctionMails); null for anyone else. */
	correctionMails(summaryId: string, userId: string): Promise<CorrectionMails | null>;
	/** A new version by the coach, never an overwrite. */
	correct(summaryId: string, userId: string, input: unknown): Promise<Result<{ id: string; version: number }>>;
	outbox(userId: string): Promise<OutboxMessage[]>;
	/** The raw .eml of an outbox message, for a person allowed to see it. */
	outboxMessage(jobId: string, userId: string): Promise<Buffer | null>;
	mailTransport: MailService['transport'];
	/** The coach sends a failed email again. */
	retryDelivery(jobId: string, userId: string): Promise<Result<true>>;
	/** Which of these sessions ended by themselves (the room stayed empty), for the coach's hours log. */
	endedByThemselves(sessionIds: readonly string[]): Promise<Set<string>>;
	/** Every action with its latest status and every learning point, in one member's copy (the closing report; no person asking). */
	acrossEngagement(engagementId: string, role: EngagementRole, readerId: string): Promise<EngagementRecord>;
}

export function createSummaries(deps: {
	db: Kysely<Database>;
	config: Config;
	log: Logger;
	engagements: Engagements;
	rooms: Rooms;
	mail: MailService;
	sources?: SummarySources;
	/** The zone a recipient reads times in (the auth feature's userTimeZone); UTC when not given. */
	zoneOf?: (userId: string) => Promise<string>;
	/** The engagement's sponsors, who get a three-way meeting's summary (none without the sponsors feature). */
	sponsors?: (engagementId: string) => Promise<{ userId: string; name: string; email: string }[]>;
	/** Told inside the transaction that completes a session's ending (the feedback feature's reminders). */
	afterEnd?: AfterEnd;
	/** Runs the check-on jobs of endings and auto-end, once across instances. */
	scheduler: Scheduler;
	/** Several instances (null: this process is the only one). */
	cluster?: Cluster | null;
}): Summaries {
	const { db, rooms, mail, engagements } = deps;
	const reads = { db, engagements, mail };
	const sources = deps.sources ?? noSources();
	const log = deps.log.child({ feature: 'summary' });
	const renderings = createRenderings({ db, renderer: createCopyRenderer(log), log });
	const sponsors = deps.sponsors ?? (async () => []);
	const { scheduler, cluster } = deps;
	const ending = createEnding({
		db, log: deps.log, engagements, rooms, mail, sources: () => sources, renderings, sponsors, afterEnd: deps.afterEnd,
		scheduler, owner: leaseOwner(cluster), alone: !cluster
	});
	const occupancy = createOccupancy({ rooms, log });
	const autoEnd = createAutoEnd({ db, log: deps.log, rooms, engagements, scheduler, occupancy, emptyMs: deps.config.emptySessionEndMs, end: (id) => ending.end(id, 'empty-room') });
	mail.register('summary', summaryComposer({ db, engagements, log, origin: deps.config.origin, renderings, zoneOf: deps.zoneOf ?? (async () => 'UTC') }));

	rooms.addFeature((socket) => {
		handle(socket, log, 'session:end', ({ sessionId }) => ending.end(sessionId, { userId: socket.data.user.id }));

		handle(socket, log, 'session:end-check', ({ sessionId }) => unsyncedEditsIn(rooms, socket, sessionId));
	});

	return {
		end: ending.end,
		async start() {
			await mail.start();
			await ending.start();
			await autoEnd.start();
		},
		async close() {
			await ending.close();
			await mail.close();
			await renderings.close();
		},

		async view(summaryId, userId) {
			const r = await readForViewer(reads, summaryId, userId);
			if (!r) return null;
			const rendering = await renderings.read(r.row, r.role, r.sponsor ? undefined : userId);
			const deliveries =
				r.role === 'coach'
					? (await mail.statusOf([summaryId])).map((j) => ({
							id: j.id,
							to_name: j.to_name,
							to_address: j.to_address,
							status: j.status,
							attempts: j.attempts,
							last_error: j.last_error,
							sent_at: j.sent_at,
							next_attempt_at: j.next_attempt_at,
							outbox_file: j.outbox_file
						}))
					: null;
			return {
				id: r.row.id,
				sessionId: r.row.session_id,
				version: r.row.version,
				reason: r.row.reason,
				createdAt: r.row.created_at,
				correctionNote: r.row.correction_note,
				role: r.role,
				sponsor: r.sponsor,
				copy: rendering.shown.copy,
				cut: rendering.shown.cut,
				notesHtml: rendering.notesHtml,
				privateNotesHtml: rendering.privateNotesHtml,
				versions: await versionsOf(db, r.row.session_id),
				deliveries
			};
		},
		correctionDraft: (summaryId, userId) => recordedForCoach(reads, summaryId, userId),
		async correctionMails(summaryId, userId) {
			const r = await readForViewer(reads, summaryId, userId);
			return r?.role === 'coach' ? correctionMails(db, r.row.session_id) : null;
		},
		async markdown(summaryId, userId) {
			const r = await readForViewer(reads, summaryId, userId);
			if (!r) return null;
			const rendering = await renderings.read(r.row, r.role, r.sponsor ? undefined : userId);
			return { fileName: markdownFileName(rendering.shown.copy, r.row.version), text: rendering.markdown };
		},
		list: (engagementId, userId) => listForEngagement(reads, engagementId, userId),
		actionsByGoal: (engagementId, userId) => actionsByGoal(reads, engagementId, userId),
		latestForSession: (sessionId, userId) => latestForSession(reads, sessionId, userId),
		previousForSession: (sessionId, userId) => previousForSession(reads, sessionId, userId),
		correct: (summaryId, userId, input) => correctSummary({ db, mail, engagements, renderings, sponsors }, summaryId, userId, input),
		outbox: (userId) => outboxFor(reads, renderings, userId),
		async outboxMessage(jobId, userId) {
			const name = await outboxFileFor(reads, jobId, userId);
			return name ? mail.readOutbox(name) : null;
		},
		mailTransport: mail.transport,
		acrossEngagement: (engagementId, role, readerId) => acrossEngagement(reads, engagementId, role, readerId),
		async retryDelivery(jobId, userId) {
			const found = await summaryJobFor(reads, jobId, userId);
			if (!found) return fail('not_found', 'No such email.');
			if (found.role !== 'coach') return fail('forbidden', 'Only the coach can send a summary again.');
			return (await mail.retry(jobId)) ? ok(true) : fail('conflict', 'This email is not in a failed state.');
		},
		async endedByThemselves(sessionIds) {
			if (sessionIds.length === 0) return new Set();
			const rows = await db.selectFrom('session_endings').select('session_id').where('session_id', 'in', [...sessionIds]).where('reason', '=', 'auto-ended').execute();
			return new Set(rows.map((r) => r.session_id));
		}
	};
}
