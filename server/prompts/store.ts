/**
 * The prompt panel's durable data: a coach's own prompts and favourites, and
 * the prompts marked as asked in each session. Plain queries; the rules
 * (who may, what is valid) live in desk.ts.
 */
import type { Kysely } from 'kysely';
import type { CustomPromptRow, Database } from '../store/index.ts';
import { newId } from '../auth/index.ts';
import { PROMPT_PHASES, PROMPT_THEMES, normalisePromptText } from '../../shared/prompts/index.ts';
import type { CustomPromptInput, Prompt, PromptPhase, PromptTheme } from '../../shared/prompts/index.ts';
import type { AskedPrompt } from '../../shared/protocol/prompts.ts';

// Custom ids must never collide with library ids, which start with a phase.
const CUSTOM_ID_PREFIX = 'own-';

const asPhase = (phase: string): PromptPhase => ((PROMPT_PHASES as readonly string[]).includes(phase) ? (phase as PromptPhase) : 'reality');

function themesOf(json: string): PromptTheme[] {
	try {
		const parsed: unknown = JSON.parse(json);
		return Array.isArray(parsed) ? parsed.filter((t): t is PromptTheme => (PROMPT_THEMES as readonly string[]).includes(t)) : [];
	} catch {
		return [];
	}
}

function toPrompt(row: CustomPromptRow): Prompt {
	const prompt: Prompt = { id: row.id, text: row.text, phase: asPhase(row.phase), themes: themesOf(row.themes) };
	return row.mentoring ? { ...prompt, mentoring: row.mentoring } : prompt;
}

/** True when the database refused a row for breaking a unique index. */
export function isUniqueViolation(err: unknown): boolean {
	const e = err as { code?: unknown; message?: unknown } | null;
	return e?.code === '23505' || (typeof e?.message === 'string' && /UNIQUE constraint failed/i.test(e.message));
}

export function createPromptStore(db: Kysely<Database>) {
	return {
		async customOf(coachId: string): Promise<Prompt[]> {
			const rows = await db.selectFrom('custom_prompts').selectAll().where('coach_id', '=', coachId).orderBy('created_at').orderBy('id').execute();
			return rows.map(toPrompt);
		},

		async customPrompt(coachId: string, id: string): Promise<Prompt | undefined> {
			const row = await db.selectFrom('custom_prompts').selectAll().where('coach_id', '=', coachId).where('id', '=', id).executeTakeFirst();
			return row && toPrompt(row);
		},

		async addCustom(coachId: string, input: CustomPromptInput): Promise<Prompt> {
			const now = Date.now();
			const row: CustomPromptRow = {
				id: `${CUSTOM_ID_PREFIX}${newId()}`,
				coach_id: coachId,
				text: input.text,
				text_key: normalisePromptText(input.text),
				phase: input.phase,
				themes: JSON.stringify(input.themes),
				mentoring: input.mentoring ?? null,
				created_at: now,
				updated_at: now
			};
			await db.insertInto('custom_prompts').values(row).execute();
			return toPrompt(row);
		},

		async updateCustom(coachId: string, id: string, input: CustomPromptInput): Promise<Prompt | undefined> {
			const changed = await db
				.updateTable('custom_prompts')
				.set({
					text: input.text,
					text_key: normalisePromptText(input.text),
					phase: input.phase,
					themes: JSON.stringify(input.themes),
					mentoring: input.mentoring ?? null,
					updated_at: Date.now()
				})
				.where('coach_id', '=', coachId)
				.where('id', '=', id)
				.executeTakeFirst();
			return changed.numUpdatedRows > 0n ? this.customPrompt(coachId, id) : undefined;
		},

		/** Removes the prompt and its favourite mark; sessions keep what was asked. */
		async deleteCustom(coachId: string, id: string): Promise<boolean> {
			return db.transaction().execute(async (trx) => {
				await trx.deleteFrom('prompt_favourites').where('coach_id', '=', coachId).where('prompt_id', '=', id).execute();
				const r = await trx.deleteFrom('custom_prompts').where('coach_id', '=', coachId).where('id', '=', id).executeTakeFirst();
				return r.numDeletedRows > 0n;
			});
		},

		async favouritesOf(coachId: string): Promise<string[]> {
			const rows = await db.selectFrom('prompt_favourites').select('prompt_id').where('coach_id', '=', coachId).orderBy('created_at').execute();
			return rows.map((r) => r.prompt_id);
		},

		async setFavourite(coachId: string, promptId: string, favourite: boolean): Promise<void> {
			if (!favourite) {
				await db.deleteFrom('prompt_favourites').where('coach_id', '=', coachId).where('prompt_id', '=', promptId).execute();
				return;
			}
			await db
				.insertInto('prompt_favourites')
				.values({ coach_id: coachId, prompt_id: promptId, created_at: Date.now() })
				.onConflict((oc) => oc.columns(['coach_id', 'prompt_id']).doNothing())
				.execute();
		},

		/** Prompts asked in a session, in the order they were asked. */
		async askedIn(sessionId: string): Promise<AskedPrompt[]> {
			const rows = await db
				.selectFrom('session_prompts_asked')
				.select(['prompt_id', 'text', 'phase', 'asked_at'])
				.where('session_id', '=', sessionId)
				.orderBy('asked_at')
				.orderBy('prompt_id')
				.execute();
			return rows.map((r) => ({ promptId: r.prompt_id, text: r.text, phase: asPhase(r.phase), askedAt: r.asked_at }));
		},

		/**
		 * Records a prompt as asked now; asking it again keeps the first time.
		 * Times only move forward within a session, so the order of asking is
		 * the order of the timeline even within one millisecond.
		 */
		async markAsked(sessionId: string, askedBy: string, prompt: { id: string; text: string; phase: PromptPhase }, maxPerSession: number): Promise<AskedPrompt | 'full'> {
			return db.transaction().execute(async (trx) => {
				const existing = await trx
					.selectFrom('session_prompts_asked')
					.select(['prompt_id', 'text', 'phase', 'asked_at'])
					.where('session_id', '=', sessionId)
					.where('prompt_id', '=', prompt.id)
					.executeTakeFirst();
				if (existing) return { promptId: existing.prompt_id, text: existing.text, phase: asPhase(existing.phase), askedAt: existing.asked_at };
				const stats = await trx
					.selectFrom('session_prompts_asked')
					.select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('asked_at').as('last')])
					.where('session_id', '=', sessionId)
					.executeTakeFirstOrThrow();
				if (Number(stats.n) >= maxPerSession) return 'full';
				const askedAt = Math.max(Date.now(), Number(stats.last ?? 0) + 1);
				await trx
					.insertInto('session_prompts_asked')
					.values({ session_id: sessionId, prompt_id: prompt.id, text: prompt.text, phase: prompt.phase, asked_at: askedAt, asked_by: askedBy })
					.execute();
				return { promptId: prompt.id, text: prompt.text, phase: prompt.phase, askedAt };
			});
		},

		async unmarkAsked(sessionId: string, promptId: string): Promise<boolean> {
			const r = await db.deleteFrom('session_prompts_asked').where('session_id', '=', sessionId).where('prompt_id', '=', promptId).executeTakeFirst();
			return r.numDeletedRows > 0n;
		},

		async countCustom(coachId: string): Promise<number> {
			const r = await db.selectFrom('custom_prompts').select((eb) => eb.fn.countAll<number | string>().as('n')).where('coach_id', '=', coachId).executeTakeFirstOrThrow();
			return Number(r.n);
		}
	};
}

export type PromptStore = ReturnType<typeof createPromptStore>;
