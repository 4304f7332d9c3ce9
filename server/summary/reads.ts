/**
 * Who may read which summary, and in which copy. Every read takes the asking
 * user and answers null when they are not a member of the engagement, so
 * pages answer 404 without revealing that a summary exists. The role comes
 * from the membership row, never from the request.
 */
import type { Kysely } from 'kysely';
import type { Database, EngagementRole, MailJobRow, SummaryRow } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { MailService } from '../mail/index.ts';
import { copyFor, parseContent, type SummaryCopy } from './content.ts';
import type { GoalActions } from '../../shared/summary/copy.ts';

export type { GoalActions } from '../../shared/summary/copy.ts';
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
	/** The reader is the engagement's sponsor (a three-way meeting's summary, in the coachee's copy). */
	sponsor: boolean;
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

/** The summary's own table, and the other features' surfaces it reads through. */
export interface ReadDeps {
	db: Kysely<Database>;
	engagements: Pick<Engagements, 'membership' | 'sessionsOf' | 'listForUser' | 'roomAccess'>;
	mail: Pick<MailService, 'statusOf' | 'job'>;
}

/** A person's role in the engagement of a summary record, or null when they are not in it. */
const roleIn = async (deps: ReadDeps, engagementId: string, userId: string): Promise<EngagementRole | null> =>
	(await deps.engagements.membership(userId, { engagementId }))?.role ?? null;

/**
 * Who reads a session's summary, and which copy: a member their own; the
 * engagement's sponsor the coachee's copy, and only of a three-way meeting
 * (the one session they were in; roomAccess says so). Null for anyone else.
 */
async function readerOf(deps: ReadDeps, row: { engagement_id: string; session_id: string }, userId: string): Promise<{ role: EngagementRole; sponsor: boolean } | null> {
	const role = await roleIn(deps, row.engagement_id, userId);
	if (role) return { role, sponsor: false };
	const access = await deps.engagements.roomAccess(row.session_id, userId);
	return access?.role === 'sponsor' ? { role: 'coachee', sponsor: true } : null;
}

/** A version's facts (not its content: readers are served its stored rendering), for a member, with their role. */
export async function readForViewer(deps: ReadDeps, summaryId: string, userId: string) {
	const row = await deps.db
		.selectFrom('summaries')
		.select(['id', 'session_id', 'engagement_id', 'version', 'reason', 'created_at', 'correction_note'])
		.where('id', '=', summaryId)
		.executeTakeFirst();
	if (!row) return null;
	const reader = await readerOf(deps, row, userId);
	if (!reader) return null;
	return { row, role: reader.role, sponsor: reader.sponsor };
}

/** The recorded content of a version for its coach, in full (not bounded): what a correction starts from. */
export async function recordedForCoach(deps: ReadDeps, summaryId: string, userId: string): Promise<SummaryCopy | null> {
	const row = await deps.db.selectFrom('summaries').select(['engagement_id', 'content']).where('id', '=', summaryId).executeTakeFirst();
	if (!row || (await roleIn(deps, row.engagement_id, userId)) !== 'coach') return null;
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
export async function listForEngagement(deps: ReadDeps, engagementId: string, userId: string) {
	const role = await roleIn(deps, engagementId, userId);
	if (!role) return null;
	const [summaries, sessions] = await Promise.all([
		deps.db.selectFrom('summaries').select(['id', 'session_id', 'version', 'reason', 'created_at']).where('engagement_id', '=', engagementId).orderBy('version', 'desc').execute(),
		deps.engagements.sessionsOf(engagementId)
	]);
	const rows = withSessions(summaries, sessions);
	const latest = new Map<string, (typeof rows)[number] & { versions: number }>();
	for (const r of rows) {
		const seen = latest.get(r.session_id);
		if (seen) seen.versions++;
		else latest.set(r.session_id, { ...r, versions: 1 });
	}
	return { role, summaries: [...latest.values()] };
}

/** The latest summary version of a session, for a member. */
export async function latestForSession(deps: ReadDeps, sessionId: string, userId: string): Promise<string | null> {
	const row = await deps.db.selectFrom('summaries').select(['id', 'engagement_id', 'session_id']).where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
	if (!row || !(await readerOf(deps, row, userId))) return null;
	return row.id;
}

/** Summary rows joined with their session's number and times, by session number, newest first (rows keep their order within a session). */
function withSessions<S extends { session_id: string }>(summaries: S[], sessions: Awaited<ReturnType<Engagements['sessionsOf']>>) {
	const byId = new Map(sessions.map((c) => [c.id, c]));
	return summaries
		.flatMap((s) => {
			const c = byId.get(s.session_id);
			return c ? [{ ...s, number: c.number, started_at: c.started_at, ended_at: c.ended_at, scheduled_at: c.scheduled_at }] : [];
		})
		.sort((a, b) => b.number - a.number);
}

/** The latest version of each summarised session's summary, with its session; the highest session number first. */
export async function latestSummaries(deps: Pick<ReadDeps, 'db' | 'engagements'>, engagementId: string) {
	const [summaries, sessions] = await Promise.all([
		deps.db.selectFrom('summaries').select(['session_id', 'version', 'content']).where('engagement_id', '=', engagementId).orderBy('version', 'desc').execute(),
		deps.engagements.sessionsOf(engagementId)
	]);
	const seen = new Set<string>();
	return withSessions(summaries, sessions).filter((r) => !seen.has(r.session_id) && seen.add(r.session_id));
}

/** The latest version of the summary of the engagement's last summarised session before session `beforeNumber`. */
export async function previousSummary(deps: { db: Kysely<Database>; engagements: Pick<Engagements, 'sessionsOf'> }, engagementId: string, beforeNumber: number) {
	const earlier = (await deps.engagements.sessionsOf(engagementId)).filter((c) => c.number < beforeNumber);
	if (earlier.length === 0) return undefined;
	const summaries = await deps.db
		.selectFrom('summaries')
		.select(['id', 'content', 'session_id', 'version'])
		.where('session_id', 'in', earlier.map((c) => c.id))
		.orderBy('version', 'desc')
		.execute();
	const [latest] = withSessions(summaries, earlier);
	return latest && { id: latest.id, content: latest.content, number: latest.number };
}

/** Last time's summary for a member: last session's notes, at hand in this one. */
export async function previousForSession(deps: ReadDeps, sessionId: string, userId: string): Promise<{ id: string; number: number } | null> {
	const m = await deps.engagements.membership(userId, { sessionId });
	if (!m?.session) return null;
	const prev = await previousSummary(deps, m.engagement.id, m.session.number);
	return prev ? { id: prev.id, number: prev.number } : null;
}

const OUTBOX_SHOWN = 200;

/** Local outbox messages a person may open: addressed to them, or about an engagement they coach. */
export async function outboxFor(deps: ReadDeps, renderings: Renderings, userId: string) {
	const engagements = new Map((await deps.engagements.listForUser(userId)).map((e) => [e.id, e]));
	if (engagements.size === 0) return [];
	const summaries = new Map(
		(await deps.db.selectFrom('summaries').select(['id', 'engagement_id', 'session_id', 'version', 'correction_note']).where('engagement_id', 'in', [...engagements.keys()]).execute()).map((s) => [s.id, s])
	);
	const jobs = (await deps.mail.statusOf([...summaries.keys()])).filter((j) => j.kind === 'summary').reverse();
	const rows = jobs.flatMap((j) => {
		const s = summaries.get(j.subject_id)!;
		const e = engagements.get(s.engagement_id)!;
		if (e.role !== 'coach' && j.user_id !== userId) return [];
		const recipientRole = e.members.find((m) => m.userId === j.user_id)?.role ?? null;
		const { id, to_name, to_address, user_id, status, sent_at, created_at, outbox_file, last_error } = j;
		return [{ id, to_name, to_address, user_id, status, sent_at, created_at, outbox_file, last_error, summaryId: s.id, session_id: s.session_id, version: s.version, correction_note: s.correction_note, recipientRole }];
	});
	const out = [];
	for (const { session_id, correction_note, recipientRole, ...r } of rows.slice(0, OUTBOX_SHOWN)) {
		// The preview is the copy the recipient received: a coachee's never has the coach-only part.
		const rendering = await renderings.read({ id: r.summaryId, session_id, version: r.version, correction_note }, recipientRole === 'coach' ? 'coach' : 'coachee', recipientRole ? r.user_id : undefined);
		out.push({ ...r, subject: summarySubject(rendering.shown.copy) + (r.version > 1 ? ' — corrected' : ''), preview: rendering.markdown });
	}
	return out;
}

/** A summary email and the asking person's role in its engagement, or null when it is not about one of theirs. */
export async function summaryJobFor(deps: ReadDeps, jobId: string, userId: string): Promise<{ job: MailJobRow; role: EngagementRole } | null> {
	const job = await deps.mail.job(jobId);
	const summary = job && (await deps.db.selectFrom('summaries').select('engagement_id').where('id', '=', job.subject_id).executeTakeFirst());
	const role = summary ? await roleIn(deps, summary.engagement_id, userId) : null;
	return job && role ? { job, role } : null;
}

/** Whether a person may open an outbox file, and its name. */
export async function outboxFileFor(deps: ReadDeps, jobId: string, userId: string): Promise<string | null> {
	const found = await summaryJobFor(deps, jobId, userId);
	if (!found || !found.job.outbox_file || (found.role !== 'coach' && found.job.user_id !== userId)) return null;
	return found.job.outbox_file;
}

/**
 * The actions tied to contract goals across the engagement's summaries (the
 * latest version of each), grouped by goal, each with its latest status
 * (a later session's review of it counts); for a member, null otherwise.
 */
export async function actionsByGoal(deps: ReadDeps, engagementId: string, userId: string): Promise<GoalActions[] | null> {
	const role = await roleIn(deps, engagementId, userId);
	if (!role) return null;
	// Oldest session first, so later reviews and later goal wording win.
	const latest = (await latestSummaries(deps, engagementId)).reverse();
	const groups = new Map<string, GoalActions>();
	const byAction = new Map<string, GoalActions['actions'][number]>();
	for (const r of latest) {
		// The reader's own copy: a group's coachee sees only what the contract lets the group share.
		const content = copyFor(parseContent(r), role, userId);
		for (const g of content.contract?.goals ?? []) {
			const group = groups.get(g.id);
			if (group) group.statement = g.statement;
		}
		for (const a of content.shared.actions) {
			const goal = a.goalId ? content.contract?.goals.find((g) => g.id === a.goalId) : undefined;
			if (!goal) continue;
			const group = groups.get(goal.id) ?? { goalId: goal.id, statement: goal.statement, actions: [] };
			groups.set(goal.id, group);
			const entry = { id: a.id, text: a.text, owner: a.owner, due: a.due, status: a.status, sessionNumber: r.number };
			group.actions.push(entry);
			byAction.set(a.id, entry);
		}
		for (const c of content.shared.carriedOver) {
			const entry = byAction.get(c.id);
			if (entry) entry.status = c.status;
		}
	}
	return [...groups.values()];
}
