/**
 * Your data (issue 14, part 4). Offers `createYourData(deps)`:
 * - `exportFor(userId, requesterId, where)`: everything the product holds
 *   about the person that they may see, as a zip of JSON, Markdown and .eml
 *   (recorded in their audit log); anyone else's: refused;
 * - `deleteAccount(userId, form, where)`: with the password and a typed
 *   confirmation; their records go, or are anonymised where another
 *   person's records must stay consistent;
 * - `erasure`, `proposeErasure`, `agreeErasure`, `withdrawErasure`: an
 *   engagement's content erased by agreement of all its members.
 * Both run through the table groups in groups/ (registry.ts says how a
 * feature adds one).
 */
import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../store/index.ts';
import type { Logger } from '../log/index.ts';
import type { Auth, Where } from '../auth/index.ts';
import { RateLimiter } from '../auth/index.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { limits } from '../config/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { deleteAccountForm, type ErasureState } from '../../shared/yourdata/index.ts';
import { GROUPS } from './groups/index.ts';
import { agreeToErase, activeMembers, erasureState, withdrawErasure } from './agreement.ts';
import { eraseAccountIn, eraseEngagementIn, finishOutside, nothingAfter, type OutsideStores } from './erase.ts';
import { readme, zipFiles } from './zip.ts';
import type { ExportFile, ExportSources, Membership } from './registry.ts';

export { GROUPS } from './groups/index.ts';
export { NOT_ERASED, NOT_EXPORTED, type TableGroup } from './registry.ts';

export interface YourData {
	exportFor(userId: string, requesterId: string, where: Where): Promise<Result<{ fileName: string; bytes: Uint8Array }>>;
	deleteAccount(userId: string, input: unknown, where: Where): Promise<Result<null>>;
	erasure(engagementId: string, userId: string): Promise<ErasureState | null>;
	proposeErasure(engagementId: string, userId: string): Promise<Result<{ erased: boolean }>>;
	agreeErasure(engagementId: string, userId: string): Promise<Result<{ erased: boolean }>>;
	withdrawErasure(engagementId: string, userId: string): Promise<Result<null>>;
}

export interface YourDataDeps {
	db: Kysely<Database>;
	dialect: Dialect;
	log: Logger;
	auth: Pick<Auth, 'recordExport' | 'signOutEverywhere'>;
	sources: ExportSources;
	outside: OutsideStores;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'engagement';

export function createYourData(deps: YourDataDeps): YourData {
	const { db } = deps;
	const log = deps.log.child({ feature: 'yourdata' });
	const wrongPasswords = new RateLimiter(limits.yourData.deleteAttempts, limits.auth.loginWindowMs);

	async function engagementsOf(userId: string): Promise<{ memberships: Membership[]; sponsored: Membership[] }> {
		const folder = (id: string, title: string) => `engagements/${slug(title)}-${id.slice(0, 6)}`;
		const member = await db.selectFrom('engagement_members').innerJoin('engagements', 'engagements.id', 'engagement_members.engagement_id').select(['engagements.id', 'engagements.title', 'engagement_members.role']).where('user_id', '=', userId).execute();
		const sponsor = await db.selectFrom('engagement_sponsors').innerJoin('engagements', 'engagements.id', 'engagement_sponsors.engagement_id').select(['engagements.id', 'engagements.title']).where('user_id', '=', userId).execute();
		return {
			memberships: member.map((m) => ({ engagementId: m.id, role: m.role, folder: folder(m.id, m.title) })),
			sponsored: sponsor.map((s) => ({ engagementId: s.id, role: 'coachee', folder: `sponsored/${slug(s.title)}-${s.id.slice(0, 6)}` }))
		};
	}

	const finish = (after: ReturnType<typeof nothingAfter>) => finishOutside({ db, dialect: deps.dialect, log, outside: deps.outside }, after);

	async function agreement(engagementId: string, userId: string, proposing: boolean) {
		const r = await agreeToErase(db, engagementId, userId, proposing);
		if (!r.ok) return r;
		if (r.value.erased) {
			await finish(r.value.after);
			log.info({ engagement: engagementId, by: userId }, "engagement's content erased by agreement");
		}
		return ok({ erased: r.value.erased });
	}

	return {
		async exportFor(userId, requesterId, where) {
			if (userId !== requesterId) return fail('forbidden', 'You can download only your own data. Ask the person to download theirs from their settings.');
			const user = await db.selectFrom('users').select(['id', 'name', 'email', 'erased_at']).where('id', '=', userId).executeTakeFirst();
			if (!user || user.erased_at) return fail('not_found', 'Not found.');
			const person = { id: user.id, name: user.name, email: user.email };
			const ctx = { db, person, ...(await engagementsOf(userId)), sources: deps.sources };
			const at = Date.now();
			const files: ExportFile[] = [{ path: 'README.md', text: readme(user.name, at, GROUPS) }];
			for (const g of GROUPS) files.push(...(await g.export(ctx)));
			const fileName = `confidante-data-${new Date(at).toISOString().slice(0, 10)}.zip`;
			await deps.auth.recordExport(userId, `all my data (${fileName})`, where);
			log.info({ user: userId, files: files.length }, 'data exported');
			return ok({ fileName, bytes: zipFiles(files) });
		},

		async deleteAccount(userId, input, where) {
			const parsed = deleteAccountForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
			if (!user) return fail('not_found', 'Not found.');
			if (user.erased_at) return fail('gone', 'This account was deleted already.');
			const wait = wrongPasswords.retryAfter(userId);
			if (wait > 0) return fail('rate_limited', `Too many wrong passwords. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
			if (!(await verifyPassword(user.password_hash, parsed.data.password))) {
				wrongPasswords.hit(userId);
				return fail('invalid_input', 'That is not your password. Your account was not deleted.', 'password');
			}
			// Closes every device's live call and pad connections before anything goes.
			await deps.auth.signOutEverywhere(userId, where);
			const person = { id: user.id, name: user.name, email: user.email };
			const { memberships } = await engagementsOf(userId);
			const staying: Membership[] = [];
			const alone: string[] = [];
			for (const m of memberships) {
				if ((await activeMembers(db, m.engagementId)).some((x) => x.id !== userId)) staying.push(m);
				else alone.push(m.engagementId);
			}
			const after = nothingAfter();
			await db.transaction().execute(async (trx) => {
				// Nobody else is left in these: nothing in them is anyone's record any more.
				for (const id of alone) {
					await trx.insertInto('engagement_erasures').values({ engagement_id: id, proposed_by: userId, proposed_at: Date.now(), agreed: JSON.stringify([userId]), erased_at: Date.now() }).onConflict((oc) => oc.column('engagement_id').doUpdateSet({ erased_at: Date.now() })).execute();
					await eraseEngagementIn(trx, id, after);
				}
				await eraseAccountIn(trx, person, staying, after);
			});
			await finish(after);
			log.info({ user: userId, erasedEngagements: alone.length, staying: staying.length }, 'account deleted');
			return ok(null);
		},

		erasure: (engagementId, userId) => erasureState(db, engagementId, userId),
		proposeErasure: (engagementId, userId) => agreement(engagementId, userId, true),
		agreeErasure: (engagementId, userId) => agreement(engagementId, userId, false),
		withdrawErasure: (engagementId, userId) => withdrawErasure(db, engagementId, userId)
	};
}
