/**
 * Supervision notes: the coach's reflections on an engagement for their
 * supervisor. Stored as the coach wrote them and shown only to the coach;
 * the Markdown export replaces the coachee's and the sponsor's identifying
 * details with labels (redact.ts), and leaves out the engagement's title,
 * which often names the person.
 */
import type { Kysely } from 'kysely';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { supervisionNoteForm, type HoursLine, type SupervisionNote } from '../../shared/practice/index.ts';
import { formatWhen } from '../../shared/time.ts';
import { limits } from '../config/index.ts';
import { newId } from '../auth/index.ts';
import type { Database, SupervisionNoteRow } from '../store/index.ts';
import { redact, type Identity } from './redact.ts';

const noteForm = supervisionNoteForm(limits.practice.noteChars);
const view = (r: SupervisionNoteRow): SupervisionNote => ({ id: r.id, body: r.body, createdAt: r.created_at, updatedAt: r.updated_at });

export function createSupervisionNotes(db: Kysely<Database>) {
	return {
		async list(engagementId: string): Promise<SupervisionNote[]> {
			const rows = await db.selectFrom('supervision_notes').selectAll().where('engagement_id', '=', engagementId).orderBy('created_at').orderBy('id').execute();
			return rows.map(view);
		},

		async add(engagementId: string, coachId: string, input: unknown, at = Date.now()): Promise<Result<SupervisionNote>> {
			const form = noteForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			const { count } = await db.selectFrom('supervision_notes').select((eb) => eb.fn.countAll<string | number>().as('count')).where('engagement_id', '=', engagementId).executeTakeFirstOrThrow();
			if (Number(count) >= limits.practice.notesPerEngagement) return fail('conflict', `This engagement has ${limits.practice.notesPerEngagement} notes already; delete or merge some before adding another.`);
			const row: SupervisionNoteRow = { id: newId(), engagement_id: engagementId, coach_id: coachId, body: form.data.body, created_at: at, updated_at: at };
			await db.insertInto('supervision_notes').values(row).execute();
			return ok(view(row));
		},

		async edit(engagementId: string, noteId: string, input: unknown, at = Date.now()): Promise<Result<SupervisionNote>> {
			const form = noteForm.safeParse(input);
			if (!form.success) return invalidForm(form.error);
			const r = await db.updateTable('supervision_notes').set({ body: form.data.body, updated_at: at }).where('id', '=', noteId).where('engagement_id', '=', engagementId).executeTakeFirst();
			if (Number(r.numUpdatedRows) !== 1) return fail('not_found', 'No such note; it may have been deleted in another tab.');
			const row = await db.selectFrom('supervision_notes').selectAll().where('id', '=', noteId).executeTakeFirstOrThrow();
			return ok(view(row));
		},

		async remove(engagementId: string, noteId: string): Promise<Result<true>> {
			const r = await db.deleteFrom('supervision_notes').where('id', '=', noteId).where('engagement_id', '=', engagementId).executeTakeFirst();
			if (Number(r.numDeletedRows) !== 1) return fail('not_found', 'No such note; it may have been deleted already.');
			return ok(true);
		}
	};
}

/** The notes as one Markdown file for a supervisor, nobody named. */
export function supervisionMarkdown(input: { line: HoursLine; kind: string; notes: SupervisionNote[]; people: Identity[]; timeZone: string; exportedAt: number }): string {
	const { line, notes, timeZone } = input;
	const day = (at: number) => formatWhen(at, timeZone, 'date');
	const held = line.sessions.length;
	const span = line.startDate ? `, from ${line.startDate} to ${line.endDate}` : '';
	const out = [
		`# Supervision notes: ${line.label}`,
		'',
		`${line.group ? `Group ${input.kind} (${line.coachees} people)` : `Individual ${input.kind}`}; ${held} session${held === 1 ? '' : 's'} held, ${line.hours.toFixed(2)} hours${span}.`,
		'',
		`Exported on ${day(input.exportedAt)}. Names, email addresses and organisations are replaced by labels: the coachee is “${line.label}”, the sponsor “${line.label}’s sponsor”.`,
		''
	];
	if (notes.length === 0) out.push('No notes yet.', '');
	for (const n of notes) {
		out.push(`## ${day(n.createdAt)}${n.updatedAt !== n.createdAt ? ` (edited ${day(n.updatedAt)})` : ''}`, '', redact(n.body, input.people), '');
	}
	return out.join('\n');
}
