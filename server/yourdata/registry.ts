/**
 * The registry behind export and erasure: each feature keeps a small group
 * for its own tables in its folder (`server/<feature>/yourdata.ts`), saying
 * what every role sees of them (for the export) and how they go (for
 * erasure), and queries only those tables; what it needs of others (names,
 * sessions) comes in the context. A feature that adds tables adds its group
 * and one line to GROUPS (groups.ts); tests/unit/yourdata-coverage.test.ts
 * fails while a table in server/store/schema*.ts is in no group and not
 * listed below as deliberately left out, with the reason.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, EngagementRole, SessionKind, SessionStatus } from '../store/index.ts';

export type TableName = Exclude<keyof Database, `_${string}`>;

export interface Person {
	id: string;
	name: string;
	email: string;
}

export interface SessionInfo {
	id: string;
	kind: SessionKind;
	number: number;
	status: SessionStatus;
}

/** An engagement the person is in (or sponsors), the folder of the zip it goes to, its people and sessions. */
export interface Membership {
	engagementId: string;
	role: EngagementRole;
	folder: string;
	/** Everyone in it, by account id: names shown in the export come from here, never from another feature's table. */
	members: { userId: string; name: string; role: EngagementRole }[];
	sessions: SessionInfo[];
}

/** What the export may read beyond the tables: each answers only what this person may see. */
export interface ExportSources {
	/** The reader's own copy of a summary as Markdown (the coachee's has no private notes), or null. */
	summaryMarkdown(summaryId: string, userId: string): Promise<{ fileName: string; text: string } | null>;
	/** A live pad as the reader's role may see it (no private document for a coachee). */
	padContent(sessionId: string, role: 'coach' | 'coachee'): Promise<{ notesMarkdown: string; privateNotesMarkdown: string; actions: unknown[]; learningPoints: unknown[] } | null>;
	/** The .eml of a message addressed to this person. */
	mailFile(jobId: string, userId: string): Promise<Buffer | null>;
}

export interface ExportContext {
	db: Kysely<Database>;
	person: Person;
	memberships: Membership[];
	/** Engagements the person sponsors (not a member: only what the sponsor page shows). */
	sponsored: Membership[];
	sources: ExportSources;
}

/** One file of the zip: JSON for data, text for Markdown and mail. */
export interface ExportFile {
	path: string;
	json?: unknown;
	text?: string | Uint8Array;
}

/** Work after the database transaction commits: files and pad documents outside it. */
export interface AfterCommit {
	outboxFiles: string[];
	padSessions: string[];
	/** Only the private documents of these sessions (a coach who left). */
	privatePads: string[];
}

/** What an engagement's erasure knows of it beforehand: its title (which may appear in others' records, such as a downloaded file's name) and everyone ever in it. */
export interface ErasedEngagement {
	id: string;
	title: string;
	memberIds: string[];
}

export interface EngagementErasure {
	trx: Transaction<Database>;
	engagementId: string;
	engagement: ErasedEngagement;
	sessionIds: string[];
	/** Every id mail or a scheduled job of this engagement can be about (from each group's `subjectsOf`). */
	subjects: ReadonlySet<string>;
	after: AfterCommit;
}

/** A person deleting their account: their own records go; in engagements others stay in (`staying`), their name becomes a label. */
export interface AccountErasure {
	trx: Transaction<Database>;
	person: Person;
	/** Engagements that stay because another person is still in them, with this person's role there. */
	staying: Membership[];
	after: AfterCommit;
}

export const FORMER = 'A former participant';

export interface TableGroup {
	name: string;
	/** Tables the export reads. */
	exports: readonly TableName[];
	/** Tables erasure changes (an engagement's content, a deleted account). */
	erases: readonly TableName[];
	/** Who sees what of these tables in their export, in words (also written into the zip's README). */
	sees: string;
	export(ctx: ExportContext): Promise<ExportFile[]>;
	/** Ids of this group's records of the engagement that mail or jobs name (a summary, a contract version), read before anything is erased. */
	subjectsOf?(trx: Transaction<Database>, engagementId: string): Promise<string[]>;
	eraseEngagement(ctx: EngagementErasure): Promise<void>;
	eraseAccount(ctx: AccountErasure): Promise<void>;
}

/** Tables deliberately not in anyone's export, and why. */
export const NOT_EXPORTED: Partial<Record<TableName, string>> = {
	account_tokens: 'single-use links: only a hash of each, useless to the person and a risk if copied',
	scheduled_jobs: "the scheduler's queue: a kind and an id, nothing anyone wrote",
	session_endings: 'the job that records a summary: times and ids, the summary itself is exported',
	session_vacancies: 'when a live session was left empty, for auto-end: an id and a time, gone when someone joins or it ends',
	sponsor_links: 'hashes of invitation links',
	scoping_links: 'hashes of scoping links',
	invites: 'hashes of invitation links',
	engagement_erasures: 'who agreed to erase an engagement and when: ids and times, shown on the engagement page',
	totp_credentials: "the authenticator app's shared key: a secret that would let anyone holding the zip make sign-in codes",
	recovery_codes: 'hashes of the recovery codes: useless to the person (the codes were shown once) and a risk if copied',
	passkeys: "each passkey's public key and signature counter: keys for signing in, not records about the person (the settings page lists the passkeys by name)",
	pending_sign_ins: 'a sign-in waiting a few minutes for its second factor: a token hash and times, nothing anyone wrote'
};

/** Tables erasure leaves as they are, and why. */
export const NOT_ERASED: Partial<Record<TableName, string>> = {
	session_endings: 'times and ids only; the summary they point at is erased',
	session_vacancies: 'an id and a time; the row goes with its session',
	schemes: "a scheme belongs to its coordinators and volunteers; a person who leaves loses their place in it (their coordinator row, profile text, requests' text)",
	engagement_erasures: 'the record that an erasure was agreed and done (ids and times, no text), so it is not done twice',
	engagement_call_privacy: "the coach's choice to require end-to-end encrypted calls: a switch, an id and a time, nobody's words; it keeps protecting the calls of what stays"
};

/** Replaces each of `words` (a name, an address) in `text`; in JSON the escaped form too. */
export function scrub(text: string, words: readonly string[], label = FORMER): string {
	let out = text;
	for (const w of words) {
		if (w.length < 2) continue;
		const forms = new Set([w, JSON.stringify(w).slice(1, -1)]);
		for (const f of forms) out = out.split(f).join(label);
	}
	return out;
}

export const ids = (ms: readonly Membership[]) => ms.map((m) => m.engagementId);

/** A name for an account id of the engagement (a former participant when it is not one of its people). */
export const nameIn = (m: Membership, userId: string) => m.members.find((x) => x.userId === userId)?.name ?? FORMER;

/** The record a mail or job is about comes first in its subject ("<id>", "<id>|…" or "<id>:…"). */
export const subjectOf = (subject: string) => subject.split(/[|:]/)[0] ?? subject;
