/**
 * Session summaries. Offers `createSummaries(deps)` with:
 * - `end(sessionId, by)`: ends a session once (coach request or empty room),
 *   records summary version 1 from the pad's final state, queues both emails,
 *   and tells the room `session:ended`; interrupted endings finish at start;
 * - the socket events `session:end` and `session:end-check` (unsynced edits);
 * - reads for pages (`view`, `list`, `latestForSession`, `previousForSession`,
 *   `markdown`, `outbox`),
 *   each checked against the reader's membership and role;
 * - `correct`: a new version by the coach, never an overwrite;
 * - `retryDelivery`: send a failed email again.
 * `sources.ts` is the interface to the pad and prompts features.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Database } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { handle, type Rooms } from '../rooms/index.ts';
import type { MailService } from '../mail/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { createEnding } from './ending.ts';
import { unsyncedEditsIn } from './end-check.ts';
import { summaryComposer, markdownFileName } from './compose.ts';
import { correctSummary } from './correct.ts';
import { renderMarkdown, markdownToHtml, nestHeadings } from './render.ts';
import { latestForSession, listForEngagement, outboxFileFor, outboxFor, previousForSession, readForViewer, versionsOf, type SummaryView } from './reads.ts';
import { noSources, type SummarySources } from './sources.ts';

export type { SummarySources, PadFinalState, PadReading } from './sources.ts';
export type { SummaryCopy, SummaryContent, SummaryAction, CarriedAction, AskedPrompt } from './content.ts';
export type { SummaryView, VersionInfo } from './reads.ts';
export { noSources } from './sources.ts';
export { readCorrectionForm } from './correct.ts';

export function createSummaries(deps: { db: Kysely<Database>; config: Config; log: Logger; engagements: Engagements; rooms: Rooms; mail: MailService; sources?: SummarySources }) {
	const { db, rooms, mail, engagements } = deps;
	const sources = deps.sources ?? noSources();
	const log = deps.log.child({ feature: 'summary' });
	const ending = createEnding({ db, config: deps.config, log: deps.log, engagements, rooms, mail, sources: () => sources });
	mail.register('summary', summaryComposer({ db, log, origin: deps.config.origin }));

	rooms.addFeature((socket) => {
		handle(socket, log, 'session:end', ({ sessionId }) => ending.end(sessionId, { userId: socket.data.user.id }));

		handle(socket, log, 'session:end-check', ({ sessionId }) => unsyncedEditsIn(rooms, socket, sessionId));
	});

	return {
		end: ending.end,
		async start() {
			await mail.start();
			await ending.start();
		},
		async close() {
			await ending.close();
			await mail.close();
		},

		async view(summaryId: string, userId: string): Promise<SummaryView | null> {
			const r = await readForViewer(db, summaryId, userId);
			if (!r) return null;
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
				copy: r.copy,
				versions: await versionsOf(db, r.row.session_id),
				deliveries
			};
		},
		/** Shared (and, for the coach, private) notes as safe HTML for the page. */
		notesHtml(view: SummaryView) {
			return {
				notes: markdownToHtml(nestHeadings(view.copy.shared.notes || '', 2)),
				privateNotes: view.copy.coachOnly ? markdownToHtml(nestHeadings(view.copy.coachOnly.privateNotes || '', 3)) : null
			};
		},
		async markdown(summaryId: string, userId: string): Promise<{ fileName: string; text: string } | null> {
			const r = await readForViewer(db, summaryId, userId);
			if (!r) return null;
			return { fileName: markdownFileName(r.copy, r.row.version), text: renderMarkdown(r.copy, { version: r.row.version, correctionNote: r.row.correction_note }) };
		},
		list: (engagementId: string, userId: string) => listForEngagement(db, engagementId, userId),
		latestForSession: (sessionId: string, userId: string) => latestForSession(db, sessionId, userId),
		previousForSession: (sessionId: string, userId: string) => previousForSession(db, sessionId, userId),
		correct: (summaryId: string, userId: string, input: unknown) => correctSummary({ db, mail, engagements }, summaryId, userId, input),
		outbox: (userId: string) => outboxFor(db, userId),
		/** The raw .eml of an outbox message, for a person allowed to see it. */
		async outboxMessage(jobId: string, userId: string): Promise<Buffer | null> {
			const name = await outboxFileFor(db, jobId, userId);
			return name ? mail.readOutbox(name) : null;
		},
		mailTransport: mail.transport,
		/** The coach sends a failed email again. */
		async retryDelivery(jobId: string, userId: string): Promise<Result<true>> {
			const row = await db
				.selectFrom('mail_jobs as j')
				.innerJoin('summaries as s', 's.id', 'j.subject_id')
				.select(['j.id', 's.engagement_id'])
				.where('j.id', '=', jobId)
				.executeTakeFirst();
			const role = row ? await engagements.roleOf(row.engagement_id, userId) : undefined;
			if (!row || !role) return fail('not_found', 'No such email.');
			if (role !== 'coach') return fail('forbidden', 'Only the coach can send a summary again.');
			return (await mail.retry(jobId)) ? ok(true) : fail('conflict', 'This email is not in a failed state.');
		}
	};
}

export type Summaries = ReturnType<typeof createSummaries>;
