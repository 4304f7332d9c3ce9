/**
 * The coach's practice (issue 14, part 3), the coach's alone:
 * - the **hours log**: per engagement the sessions actually held (room start
 *   to end), paid or pro bono and the client's organisation as the coach
 *   sets them, as a page and as CSV in ICF's coaching-log columns; a client
 *   is named only when the contract in force says they agreed to be listed,
 *   otherwise shown as a stable label ("Client 3");
 * - **supervision notes** per engagement, exported as Markdown with the
 *   coachee's and the sponsor's identifying details replaced by labels.
 * Anything about an engagement the person does not coach answers as if it
 * did not exist (null / not_found), whoever they are.
 * Offers `createPractice(deps)`; owns `practice_engagements` and `supervision_notes`.
 */
import type { Kysely } from 'kysely';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { engagementLogForm, type Funding, type HoursLine, type HoursLog, type SupervisionNote } from '../../shared/practice/index.ts';
import { limits } from '../config/index.ts';
import type { CoachingSessionRow, Database, EngagementKind } from '../store/index.ts';
import { heldSessions, hoursLine, hoursLog, labelsOf, type CoachedEngagement } from './hours.ts';
import { hoursCsv } from './csv.ts';
import { createSupervisionNotes, supervisionMarkdown } from './supervision.ts';
import type { Identity } from './redact.ts';

export interface PracticeSources {
	/** Engagements the person is the coach of, with their coachees (earliest joined first). */
	coached(coachId: string): Promise<(CoachedEngagement & { kind: EngagementKind })[]>;
	sessionsOf(engagementId: string): Promise<CoachingSessionRow[]>;
	/** From the contract in force: the coachee's consent to be listed by name, and the sponsor it names. */
	contract(engagementId: string): Promise<{ listByName: boolean; sponsor: { name: string; email: string; organisation: string } | null } | null>;
	/** Sponsors who joined through a sponsor link (their accounts' names and addresses). */
	sponsorPeople(engagementId: string): Promise<{ name: string; email: string }[]>;
	timeZone(userId: string): Promise<string>;
	/** Which sessions ended by themselves once their room had been empty for `emptyRoomMs`. */
	endedByThemselves(sessionIds: readonly string[]): Promise<Set<string>>;
	emptyRoomMs: number;
}

export interface Practice {
	hoursLog(coachId: string): Promise<HoursLog>;
	hoursCsv(coachId: string): Promise<{ fileName: string; text: string }>;
	setEngagementLog(engagementId: string, coachId: string, input: unknown): Promise<Result<{ funding: Funding; organisation: string }>>;
	supervision(engagementId: string, coachId: string): Promise<{ line: HoursLine; kind: EngagementKind; notes: SupervisionNote[] } | null>;
	addNote(engagementId: string, coachId: string, input: unknown): Promise<Result<SupervisionNote>>;
	editNote(engagementId: string, noteId: string, coachId: string, input: unknown): Promise<Result<SupervisionNote>>;
	deleteNote(engagementId: string, noteId: string, coachId: string): Promise<Result<true>>;
	supervisionMarkdown(engagementId: string, coachId: string): Promise<{ fileName: string; text: string } | null>;
}

const NOT_FOUND = 'No such engagement.';
const logForm = engagementLogForm(limits.practice.organisationChars);

export function createPractice(deps: { db: Kysely<Database>; sources: PracticeSources }): Practice {
	const { db, sources } = deps;
	const notes = createSupervisionNotes(db);

	async function lines(coachId: string, only?: string): Promise<{ lines: (HoursLine & { kind: EngagementKind })[]; timeZone: string }> {
		const [coached, timeZone] = await Promise.all([sources.coached(coachId), sources.timeZone(coachId)]);
		const labels = labelsOf(coached);
		const wanted = only ? coached.filter((e) => e.id === only) : coached;
		const settings = wanted.length
			? await db.selectFrom('practice_engagements').selectAll().where('engagement_id', 'in', wanted.map((e) => e.id)).where('coach_id', '=', coachId).execute()
			: [];
		const out = await Promise.all(
			wanted.map(async (engagement) => {
				const [rows, contract] = await Promise.all([sources.sessionsOf(engagement.id), sources.contract(engagement.id)]);
				const selfEnded = await sources.endedByThemselves(rows.filter((r) => r.status === 'ended').map((r) => r.id));
				const line = hoursLine({
					engagement,
					label: labels.get(engagement.id)!,
					setting: settings.find((s) => s.engagement_id === engagement.id),
					sessions: heldSessions(rows, selfEnded, sources.emptyRoomMs),
					listedByName: contract?.listByName ?? false,
					timeZone
				});
				return { ...line, kind: engagement.kind };
			})
		);
		// In label order: the coach's oldest client first.
		const order = [...labels.keys()];
		return { lines: out.sort((a, b) => order.indexOf(a.engagementId) - order.indexOf(b.engagementId)), timeZone };
	}

	/** The engagement's line when `coachId` coaches it; null for anyone else. */
	async function lineOf(engagementId: string, coachId: string) {
		const { lines: found, timeZone } = await lines(coachId, engagementId);
		return found[0] ? { line: found[0], timeZone } : null;
	}

	return {
		async hoursLog(coachId) {
			const { lines: all, timeZone } = await lines(coachId);
			return hoursLog(all, timeZone);
		},

		async hoursCsv(coachId) {
			const { lines: all, timeZone } = await lines(coachId);
			return { fileName: `coaching-log-${new Date().toISOString().slice(0, 10)}.csv`, text: hoursCsv(hoursLog(all, timeZone).lines) };
		},

		async setEngagementLog(engagementId, coachId, input) {
			if (!(await lineOf(engagementId, coachId))) return fail('not_found', NOT_FOUND);
			const form = logForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			const row = { engagement_id: engagementId, coach_id: coachId, funding: form.data.funding, organisation: form.data.organisation, updated_at: Date.now() };
			await db
				.insertInto('practice_engagements')
				.values(row)
				.onConflict((oc) => oc.column('engagement_id').doUpdateSet({ funding: row.funding, organisation: row.organisation, updated_at: row.updated_at, coach_id: row.coach_id }))
				.execute();
			return ok({ funding: row.funding, organisation: row.organisation });
		},

		async supervision(engagementId, coachId) {
			const found = await lineOf(engagementId, coachId);
			if (!found) return null;
			return { line: found.line, kind: found.line.kind, notes: await notes.list(engagementId) };
		},

		async addNote(engagementId, coachId, input) {
			if (!(await lineOf(engagementId, coachId))) return fail('not_found', NOT_FOUND);
			return notes.add(engagementId, coachId, input);
		},

		async editNote(engagementId, noteId, coachId, input) {
			if (!(await lineOf(engagementId, coachId))) return fail('not_found', NOT_FOUND);
			return notes.edit(engagementId, noteId, input);
		},

		async deleteNote(engagementId, noteId, coachId) {
			if (!(await lineOf(engagementId, coachId))) return fail('not_found', NOT_FOUND);
			return notes.remove(engagementId, noteId);
		},

		async supervisionMarkdown(engagementId, coachId) {
			const found = await lineOf(engagementId, coachId);
			if (!found) return null;
			const { line, timeZone } = found;
			const [coached, contract, sponsorPeople, list] = await Promise.all([sources.coached(coachId), sources.contract(engagementId), sources.sponsorPeople(engagementId), notes.list(engagementId)]);
			const engagement = coached.find((e) => e.id === engagementId)!;
			const sponsor = `${line.label}’s sponsor`;
			const people: Identity[] = [
				...engagement.coachees.map((c, i) => ({
					label: engagement.coachees.length > 1 ? `${line.label}, member ${i + 1}` : line.label,
					names: [c.name],
					emails: [c.email],
					phrases: []
				})),
				{ label: `${line.label}’s organisation`, names: [], emails: [], phrases: [line.organisation, contract?.sponsor?.organisation ?? ''] },
				{ label: sponsor, names: [contract?.sponsor?.name ?? '', ...sponsorPeople.map((p) => p.name)], emails: [contract?.sponsor?.email ?? '', ...sponsorPeople.map((p) => p.email)], phrases: [] }
			];
			const text = supervisionMarkdown({ line, kind: line.kind, notes: list, people, timeZone, exportedAt: Date.now() });
			return { fileName: `supervision-${line.label.toLowerCase().replace(/\s+/g, '-')}.md`, text };
		}
	};
}
