/**
 * Who may read which summary, and in which copy. Every read takes the asking
 * user and answers null when they are not a member of the engagement, so
 * pages answer 404 without revealing that a summary exists. The role comes
 * from the membership row, never from the request.
 */
import type { Kysely } from 'kysely';
import type { Database, EngagementRole, MailJobRow, SummaryRow } from '../store/index.ts';
import { copyFor, parseContent, type SummaryCopy } from './content.ts';
import { summarySubject } from './render.ts';
import type { Cut } from './bounds.ts';
import type { Renderings } from './renderings.ts';

export interface VersionInfo {
	id: string;
	version: number;
	reason: SummaryRow['reason'];
	createdAt: number;
	correctionNote: string | null;
}

export interface SummaryView {
	id: string;
	sessionId: string;
	version: number;
	reason: SummaryRow['reason'];
	createdAt: number;
	correctionNote: string | null;
	role: EngagementRole;
	/** The reader's copy as shown: each section within its bound (`cut` says what was left out). */
	copy: SummaryCopy;
	cut: Cut;
	/** The notes as safe HTML, rendered when the version was recorded. */
	notesHtml: string;
	privateNotesHtml: string | null;
	versions: VersionInfo[];
	/** Delivery status per recipient, for the coach only. */
	deliveries: Pick<MailJobRow, 'id' | 'to_name' | 'to_address' | 'status' | 'attempts' | 'last_error' | 'sent_at' | 'next_attempt_at' | 'outbox_file'>[] | null;
}

export async function roleIn(db: Kysely<Database>, engagementId: string, userId: string): Promise<EngagementRole | null> {
	const r = await db.selectFrom('engagement_members').select('role').where('engagement_id', '=', engagementId).where('user_id', '=', userId).executeTakeFirst();
	return r?.role ?? null;
}

/** A version's facts (not its content: readers are served its stored rendering), for a member, with their role. */
export async function readForViewer(db: Kysely<Database>, summaryId: string, userId: string) {
	const row = await db
		.selectFrom('summaries')
		.select(['id', 'session_id', 'engagement_id', 'version', 'reason', 'created_at', 'correction_note'])
		.where('id', '=', summaryId)
		.executeTakeFirst();
	if (!row) return null;
	const role = await roleIn(db, row.engagement_id, userId);
	if (!role) return null;
	return { row, role };
}

/** The recorded content of a version for its coach, in full (not bounded): what a correction starts from. */
export async function recordedForCoach(db: Kysely<Database>, summaryId: string, userId: string): Promise<SummaryCopy | null> {
	const row = await db.selectFrom('summaries').select(['engagement_id', 'content']).where('id', '=', summaryId).executeTakeFirst();
	if (!row || (await roleIn(db, row.engagement_id, userId)) !== 'coach') return null;
	return copyFor(parseContent(row), 'coach');
}

export async function versionsOf(db: Kysely<Database>, sessionId: string): Promise<VersionInfo[]> {
	const rows = await db
		.selectFrom('summaries')
		.select(['id', 'version', 'reason', 'created_at', 'correction_note'])
		.where('session_id', '=', sessionId)
		.orderBy('version')
		.execute();
	return rows.map((r) => ({ id: r.id, version: r.version, reason: r.reason, createdAt: r.created_at, correctionNote: r.correction_note }));
}

/** Each summarised session of an engagement, newest first, with its latest version. */
export async function listForEngagement(db: Kysely<Database>, engagementId: string, userId: string) {
	const role = await roleIn(db, engagementId, userId);
	if (!role) return null;
	const rows = await db
		.selectFrom('summaries as s')
		.innerJoin('coaching_sessions as c', 'c.id', 's.session_id')
		.select(['s.id', 's.session_id', 's.version', 's.reason', 's.created_at', 'c.number', 'c.started_at', 'c.ended_at', 'c.scheduled_at'])
		.where('s.engagement_id', '=', engagementId)
		.orderBy('c.number', 'desc')
		.orderBy('s.version', 'desc')
		.execute();
	const latest = new Map<string, (typeof rows)[number] & { versions: number }>();
	for (const r of rows) {
		const seen = latest.get(r.session_id);
		if (seen) seen.versions++;
		else latest.set(r.session_id, { ...r, versions: 1 });
	}
	return { role, summaries: [...latest.values()] };
}

/** The latest summary version of a session, for a member. */
export async function latestForSession(db: Kysely<Database>, sessionId: string, userId: string): Promise<string | null> {
	const row = await db.selectFrom('summaries').select(['id', 'engagement_id']).where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
	if (!row || !(await roleIn(db, row.engagement_id, userId))) return null;
	return row.id;
}

/** The latest version of the summary of the engagement's last summarised session before session `beforeNumber`. */
export function previousSummary(db: Kysely<Database>, engagementId: string, beforeNumber: number) {
	return db
		.selectFrom('summaries as s')
		.innerJoin('coaching_sessions as c', 'c.id', 's.session_id')
		.select(['s.id', 's.content', 'c.number'])
		.where('s.engagement_id', '=', engagementId)
		.where('c.number', '<', beforeNumber)
		.orderBy('c.number', 'desc')
		.orderBy('s.version', 'desc')
		.limit(1)
		.executeTakeFirst();
}

/** Last time's summary for a member: last session's notes, at hand in this one. */
export async function previousForSession(db: Kysely<Database>, sessionId: string, userId: string): Promise<{ id: string; number: number } | null> {
	const session = await db.selectFrom('coaching_sessions').select(['engagement_id', 'number']).where('id', '=', sessionId).executeTakeFirst();
	if (!session || !(await roleIn(db, session.engagement_id, userId))) return null;
	const prev = await previousSummary(db, session.engagement_id, session.number);
	return prev ? { id: prev.id, number: prev.number } : null;
}

/** Local outbox messages a person may open: addressed to them, or about an engagement they coach. */
export async function outboxFor(db: Kysely<Database>, renderings: Renderings, userId: string) {
	const rows = await db
		.selectFrom('mail_jobs as j')
		.innerJoin('summaries as s', 's.id', 'j.subject_id')
		.innerJoin('engagement_members as m', (j) => j.onRef('m.engagement_id', '=', 's.engagement_id').on('m.user_id', '=', userId))
		.leftJoin('engagement_members as r', (j) => j.onRef('r.engagement_id', '=', 's.engagement_id').onRef('r.user_id', '=', 'j.user_id'))
		.select(['j.id', 'j.to_name', 'j.to_address', 'j.user_id', 'j.status', 'j.sent_at', 'j.created_at', 'j.outbox_file', 'j.last_error', 's.id as summaryId', 's.session_id', 's.version', 's.correction_note', 'r.role as recipientRole'])
		.where('j.kind', '=', 'summary')
		.where((w) => w.or([w('m.role', '=', 'coach'), w('j.user_id', '=', userId)]))
		.orderBy('j.created_at', 'desc')
		.limit(200)
		.execute();
	const out = [];
	for (const { session_id, correction_note, recipientRole, ...r } of rows) {
		// The preview is the copy the recipient received: a coachee's never has the coach-only part.
		const rendering = await renderings.read({ id: r.summaryId, session_id, version: r.version, correction_note }, recipientRole ?? 'coachee');
		out.push({ ...r, subject: summarySubject(rendering.shown.copy) + (r.version > 1 ? ' — corrected' : ''), preview: rendering.markdown });
	}
	return out;
}

/** Whether a person may open an outbox file, and its name. */
export async function outboxFileFor(db: Kysely<Database>, jobId: string, userId: string): Promise<string | null> {
	const row = await db
		.selectFrom('mail_jobs as j')
		.innerJoin('summaries as s', 's.id', 'j.subject_id')
		.innerJoin('engagement_members as m', (j) => j.onRef('m.engagement_id', '=', 's.engagement_id').on('m.user_id', '=', userId))
		.select(['j.outbox_file', 'j.user_id', 'm.role'])
		.where('j.id', '=', jobId)
		.executeTakeFirst();
	if (!row || !row.outbox_file || (row.role !== 'coach' && row.user_id !== userId)) return null;
	return row.outbox_file;
}
