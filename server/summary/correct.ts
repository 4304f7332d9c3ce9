/**
 * Corrections: the coach edits what a summary says and a new version is
 * recorded beside the old one, which is never changed, with its copies
 * rendered once (renderings.ts). The final pad state travels with every
 * version, so each can still be traced to the session.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { limits } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import type { MailService } from '../mail/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { newId } from '../auth/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { parseContent, type SummaryAction, type SummaryContent } from './content.ts';
import type { Renderings } from './renderings.ts';

const text = (max: number, label: string) => z.string().trim().max(max, `${label} is too long (at most ${max} characters).`);

const actionRow = z.object({
	id: z.string().max(64).optional(),
	text: text(1000, 'An action'),
	owner: text(120, 'An owner'),
	due: z.union([z.literal(''), z.iso.date('Use a date like 2026-12-31.')]),
	status: z.enum(['open', 'done', 'dropped'])
});

export const correctionForm = z.object({
	note: text(500, 'The note').min(3, 'Say briefly what you corrected (for example "fixed a due date").'),
	learningPoints: text(limits.summary.maxTextChars, 'Learning points'),
	notes: text(limits.summary.maxTextChars, 'The shared notes'),
	privateNotes: text(limits.summary.maxTextChars, 'The private notes'),
	notify: z.boolean(),
	actions: z.array(actionRow).max(limits.summary.maxActions, `At most ${limits.summary.maxActions} actions.`)
});

/** Reads the flat form (action_text_0, action_owner_0 ...) into the correction shape. */
export function readCorrectionForm(form: Record<string, string>): unknown {
	const actions: unknown[] = [];
	for (let i = 0; i <= limits.summary.maxActions; i++) {
		if (!(`action_text_${i}` in form)) break;
		const t = form[`action_text_${i}`]!.trim();
		if (!t) continue; // an emptied row is a deleted action; the blank row is an unused one
		actions.push({ id: form[`action_id_${i}`] || undefined, text: t, owner: form[`action_owner_${i}`] ?? '', due: form[`action_due_${i}`] ?? '', status: form[`action_status_${i}`] ?? 'open' });
	}
	return {
		note: form.note ?? '',
		learningPoints: form.learningPoints ?? '',
		notes: form.notes ?? '',
		privateNotes: form.privateNotes ?? '',
		notify: form.notify === 'on',
		actions
	};
}

/** How many more times a session's summary may be emailed again by a correction now, and when the next one frees up. */
export interface CorrectionMails {
	left: number;
	perSummary: number;
	/** Milliseconds until one more is allowed, when none is left. */
	againInMs: number | null;
}

export async function correctionMails(db: Kysely<Database>, sessionId: string, now = Date.now()): Promise<CorrectionMails> {
	const { perSummary, windowMs } = limits.summary.correctionMails;
	const sent = await db
		.selectFrom('summaries')
		.select('mailed_again_at')
		.where('session_id', '=', sessionId)
		.where('mailed_again_at', '>', now - windowMs)
		.orderBy('mailed_again_at', 'asc')
		.execute();
	const left = Math.max(0, perSummary - sent.length);
	// The oldest email inside the window frees its place when it leaves it.
	const oldest = sent[sent.length - perSummary]?.mailed_again_at;
	return { left, perSummary, againInMs: left === 0 && oldest != null ? Number(oldest) + windowMs - now : null };
}

/** The refusal when a correction would email the summary once too often: what to do now, and when emailing works again. */
export function tooManyMails(q: CorrectionMails) {
	const hours = Math.max(1, Math.ceil((q.againInMs ?? 0) / 3_600_000));
	return fail(
		'rate_limited',
		`This summary has already been emailed again ${q.perSummary} times in the last 24 hours, the most allowed. Untick "Email the corrected summary to everyone" to save your correction now (everyone can read it in the app), or email it in about ${hours} hour${hours === 1 ? '' : 's'}.`,
		'notify'
	);
}

export async function correctSummary(
	deps: { db: Kysely<Database>; mail: MailService; engagements: Engagements; renderings: Renderings; sponsors: (engagementId: string) => Promise<{ userId: string; name: string; email: string }[]> },
	summaryId: string,
	userId: string,
	input: unknown
): Promise<Result<{ id: string; version: number }>> {
	const { db, mail } = deps;
	const base = await db.selectFrom('summaries').selectAll().where('id', '=', summaryId).executeTakeFirst();
	const role = base ? (await deps.engagements.membership(userId, { engagementId: base.engagement_id }))?.role : undefined;
	if (!base || !role) return fail('not_found', 'No such summary.');
	if (role !== 'coach') return fail('forbidden', 'Only the coach can correct a summary.');
	const parsed = correctionForm.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		return fail('invalid_input', issue.message, String(issue.path[0] ?? 'note'));
	}
	const f = parsed.data;
	if (f.notify) {
		const quota = await correctionMails(db, base.session_id);
		if (quota.left === 0) return tooManyMails(quota);
	}
	const before = parseContent(base);
	// A corrected action keeps what the form does not show: its goal and whose it is (for group sharing).
	const was = new Map(before.shared.actions.map((a) => [a.id, a]));
	const actions: SummaryAction[] = f.actions.map((a) => {
		const old = a.id ? was.get(a.id) : undefined;
		const kept = old ? { ownerKind: old.ownerKind, ownerUserId: old.ownerUserId, goalId: old.goalId } : {};
		return { id: a.id ?? newId(), text: a.text, owner: a.owner, due: a.due || null, status: a.status, ...kept };
	});
	const learningPoints = f.learningPoints.split('\n').map((l) => l.trim()).filter(Boolean);
	// A learning point keeps its author when unchanged; one the coach wrote or reworded is the coach's.
	const authorOf = new Map(before.shared.learningPoints.map((p, i) => [p, before.shared.learningAuthors?.[i] ?? userId]));
	const content: SummaryContent = {
		...before,
		shared: {
			...before.shared,
			actions,
			learningPoints,
			learningAuthors: learningPoints.map((p) => authorOf.get(p) ?? userId),
			notes: f.notes
		},
		coachOnly: { ...before.coachOnly, privateNotes: f.privateNotes }
	};
	// Serialised once: every version try stores it and the render thread parses its own copy.
	const json = JSON.stringify(content);
	// A three-way meeting's correction reaches its sponsor too, like its first version.
	const threeWay = (await deps.engagements.sessionRecord(base.session_id))?.session.kind === 'three_way';
	const members = [...(await deps.engagements.members(base.engagement_id)), ...(threeWay ? await deps.sponsors(base.engagement_id) : [])];
	// Two coaches' tabs correcting at once: the unique (session, version) key
	// refuses the second, which then tries the next number.
	for (let tries = 0; tries < 3; tries++) {
		const top = await db.selectFrom('summaries').select((e) => e.fn.max('version').as('v')).where('session_id', '=', base.session_id).executeTakeFirst();
		const version = Number(top?.v ?? 0) + 1;
		const id = newId();
		const rendered = await deps.renderings.render(json, { version, correctionNote: f.note }, base.session_id);
		try {
			await db.transaction().execute(async (trx) => {
				await trx
					.insertInto('summaries')
					.values({
						id,
						session_id: base.session_id,
						engagement_id: base.engagement_id,
						version,
						reason: 'corrected',
						created_by: userId,
						created_at: Date.now(),
						correction_note: f.note,
						content: json,
						shared_state: base.shared_state,
						private_state: base.private_state,
						mailed_again_at: f.notify ? Date.now() : null
					})
					.execute();
				await deps.renderings.store(trx, id, rendered);
				if (f.notify) {
					await mail.enqueue(trx, members.map((m) => ({ kind: 'summary' as const, subjectId: id, userId: m.userId, toName: m.name, toAddress: m.email })));
				}
			});
		} catch (err) {
			const again = await db.selectFrom('summaries').select('id').where('session_id', '=', base.session_id).where('version', '=', version).executeTakeFirst();
			if (again) continue;
			throw err;
		}
		if (f.notify) mail.kick();
		return ok({ id, version });
	}
	return fail('conflict', 'Someone else is correcting this summary right now; reload and try again.');
}
