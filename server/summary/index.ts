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
import { endCheck, endSession, type Ended } from '../../shared/protocol/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { createEnding, type EndedBy } from './ending.ts';
import { unsyncedEditsIn } from './end-check.ts';
import { summaryComposer, markdownFileName } from './compose.ts';
import { correctSummary } from './correct.ts';
import { renderMarkdown, markdownToHtml, nestHeadings } from './render.ts';
import { latestForSession, listForEngagement, outboxFileFor, outboxFor, previousForSession, readForViewer, summaryJobFor, versionsOf, type SummaryView } from './reads.ts';
import { noSources, type SummarySources } from './sources.ts';

export type { SummarySources } from './sources.ts';
export type { SummaryView } from './reads.ts';
export { readCorrectionForm } from './correct.ts';

/** One session's summarised versions, as the engagement's summaries page lists them. */
export type SummaryListing = NonNullable<Awaited<ReturnType<typeof listForEngagement>>>;
export type OutboxMessage = Awaited<ReturnType<typeof outboxFor>>[number];

/** Session summaries as the server and the web app use them; this folder owns `summaries` and `session_endings`. */
export interface Summaries {
	end(sessionId: string, by: EndedBy): Promise<Result<Ended>>;
	/** Finishes endings a restart interrupted, and starts the mail queue. */
	start(): Promise<void>;
	close(): Promise<void>;
	/** A summary in the reader's copy, with versions and (for the coach) delivery status; null when not theirs. */
	view(summaryId: string, userId: string): Promise<SummaryView | null>;
	/** Shared (and, for the coach, private) notes as safe HTML for the page. */
	notesHtml(view: SummaryView): { notes: string; privateNotes: string | null };
	markdown(summaryId: string, userId: string): Promise<{ fileName: string; text: string } | null>;
	list(engagementId: string, userId: string): Promise<SummaryListing | null>;
	latestForSession(sessionId: string, userId: string): Promise<string | null>;
	previousForSession(sessionId: string, userId: string): Promise<{ id: string; number: number } | null>;
	/** A new version by the coach, never an overwrite. */
	correct(summaryId: string, userId: string, input: unknown): Promise<Result<{ id: string; version: number }>>;
	outbox(userId: string): Promise<OutboxMessage[]>;
	/** The raw .eml of an outbox message, for a person allowed to see it. */
	outboxMessage(jobId: string, userId: string): Promise<Buffer | null>;
	mailTransport: MailService['transport'];
	/** The coach sends a failed email again. */
	retryDelivery(jobId: string, userId: string): Promise<Result<true>>;
}

export function createSummaries(deps: { db: Kysely<Database>; config: Config; log: Logger; engagements: Engagements; rooms: Rooms; mail: MailService; sources?: SummarySources }): Summaries {
	const { db, rooms, mail, engagements } = deps;
	const reads = { db, engagements, mail };
	const sources = deps.sources ?? noSources();
	const log = deps.log.child({ feature: 'summary' });
	const ending = createEnding({ db, config: deps.config, log: deps.log, engagements, rooms, mail, sources: () => sources });
	mail.register('summary', summaryComposer({ db, engagements, log, origin: deps.config.origin }));

	rooms.addFeature((socket) => {
		handle(socket, log, 'session:end', endSession, ({ sessionId }) => ending.end(sessionId, { userId: socket.data.user.id }));

		handle(socket, log, 'session:end-check', endCheck, ({ sessionId }) => unsyncedEditsIn(rooms, socket, sessionId));
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

		async view(summaryId, userId) {
			const r = await readForViewer(reads, summaryId, userId);
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
		notesHtml(view) {
			return {
				notes: markdownToHtml(nestHeadings(view.copy.shared.notes || '', 2)),
				privateNotes: view.copy.coachOnly ? markdownToHtml(nestHeadings(view.copy.coachOnly.privateNotes || '', 3)) : null
			};
		},
		async markdown(summaryId, userId) {
			const r = await readForViewer(reads, summaryId, userId);
			if (!r) return null;
			return { fileName: markdownFileName(r.copy, r.row.version), text: renderMarkdown(r.copy, { version: r.row.version, correctionNote: r.row.correction_note }) };
		},
		list: (engagementId, userId) => listForEngagement(reads, engagementId, userId),
		latestForSession: (sessionId, userId) => latestForSession(reads, sessionId, userId),
		previousForSession: (sessionId, userId) => previousForSession(reads, sessionId, userId),
		correct: (summaryId, userId, input) => correctSummary({ db, mail, engagements }, summaryId, userId, input),
		outbox: (userId) => outboxFor(reads, userId),
		async outboxMessage(jobId, userId) {
			const name = await outboxFileFor(reads, jobId, userId);
			return name ? mail.readOutbox(name) : null;
		},
		mailTransport: mail.transport,
		async retryDelivery(jobId, userId) {
			const found = await summaryJobFor(reads, jobId, userId);
			if (!found) return fail('not_found', 'No such email.');
			if (found.role !== 'coach') return fail('forbidden', 'Only the coach can send a summary again.');
			return (await mail.retry(jobId)) ? ok(true) : fail('conflict', 'This email is not in a failed state.');
		}
	};
}
