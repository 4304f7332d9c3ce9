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
 * Both run through every feature's table group (groups.ts; registry.ts says
 * how a feature adds one). This folder owns `engagement_erasures`.
 */
import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../store/index.ts';
import type { Logger } from '../log/index.ts';
import type { Auth, Where } from '../auth/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { Sponsors } from '../sponsors/index.ts';
import { RateLimiter } from '../auth/index.ts';
import { limits } from '../config/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { deleteAccountForm, type ErasureState } from '../../shared/yourdata/index.ts';
import { fileSlug } from '../../shared/slug.ts';
import { GROUPS } from './groups.ts';
import { agreeToErase, erasureState, recordErasedAlone, withdrawErasure, type People } from './agreement.ts';
import { eraseAccountIn, eraseEngagementIn, finishOutside, nothingAfter, type OutsideStores } from './erase.ts';
import { readme, zipFiles } from './zip.ts';
import type { AfterCommit, ExportFile, ExportSources, Membership } from './registry.ts';

export { GROUPS } from './groups.ts';
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
	auth: Pick<Auth, 'recordExport' | 'signOutEverywhere' | 'usersByIds' | 'passwordMatches' | 'erasedAmong'>;
	engagements: Pick<Engagements, 'listForUser' | 'getForMember' | 'sessionDates'>;
	sponsors: Pick<Sponsors, 'sponsored'>;
	sources: ExportSources;
	outside: OutsideStores;
}

const folder = (base: string, id: string, title: string) => `${base}/${fileSlug(title)}-${id.slice(0, 6)}`;

export function createYourData(deps: YourDataDeps): YourData {
	const { db } = deps;
	const log = deps.log.child({ feature: 'yourdata' });
	const wrongPasswords = new RateLimiter(limits.yourData.deleteAttempts, limits.auth.loginWindowMs);
	const sessionsOf = async (id: string) => (await deps.engagements.sessionDates(id)).map((s) => ({ id: s.id, kind: s.kind, number: s.number, status: s.status }));

	async function engagementsOf(userId: string): Promise<{ memberships: Membership[]; sponsored: Membership[] }> {
		const memberships: Membership[] = [];
		for (const e of await deps.engagements.listForUser(userId)) {
			memberships.push({ engagementId: e.id, role: e.role, folder: folder('engagements', e.id, e.title), members: e.members, sessions: await sessionsOf(e.id) });
		}
		const sponsored: Membership[] = [];
		for (const s of await deps.sponsors.sponsored(userId)) {
			sponsored.push({ engagementId: s.engagementId, role: 'coachee', folder: folder('sponsored', s.engagementId, s.title), members: [], sessions: await sessionsOf(s.engagementId) });
		}
		return { memberships, sponsored };
	}

	/** The engagement's people who still have an account, or null when `userId` is not one of them. */
	async function peopleOf(engagementId: string, userId: string): Promise<People | null> {
		const view = await deps.engagements.getForMember(engagementId, userId);
		if (!view) return null;
		const erased = await deps.auth.erasedAmong(view.members.map((m) => m.userId));
		const members = view.members.filter((m) => !erased.has(m.userId));
		if (!members.some((m) => m.userId === userId)) return null;
		return { engagement: { id: engagementId, title: view.title, memberIds: view.members.map((m) => m.userId) }, members, sessions: await sessionsOf(engagementId) };
	}

	const finish = (after: AfterCommit) => finishOutside({ db, dialect: deps.dialect, log, outside: deps.outside }, after);

	async function agreement(engagementId: string, userId: string, proposing: boolean): Promise<Result<{ erased: boolean }>> {
		const people = await peopleOf(engagementId, userId);
		if (!people) return fail('not_found', 'Not found.');
		const r = await agreeToErase(db, people, engagementId, userId, proposing);
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
			const [user] = await deps.auth.usersByIds([userId]);
			if (!user || (await deps.auth.erasedAmong([userId])).size > 0) return fail('not_found', 'Not found.');
			const ctx = { db, person: { id: user.id, name: user.name, email: user.email }, ...(await engagementsOf(userId)), sources: deps.sources };
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
			const wait = wrongPasswords.retryAfter(userId);
			if (wait > 0) return fail('rate_limited', `Too many wrong passwords. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
			const matches = await deps.auth.passwordMatches(userId, parsed.data.password);
			if (matches === null) return fail('gone', 'This account was deleted already.');
			if (!matches) {
				wrongPasswords.hit(userId);
				return fail('invalid_input', 'That is not your password. Your account was not deleted.', 'password');
			}
			const [user] = await deps.auth.usersByIds([userId]);
			if (!user) return fail('gone', 'This account was deleted already.');
			// Closes every device's live call and pad connections before anything goes.
			await deps.auth.signOutEverywhere(userId, where);
			const { memberships } = await engagementsOf(userId);
			const staying: Membership[] = [];
			const alonePeople: People[] = [];
			for (const m of memberships) {
				const people = (await peopleOf(m.engagementId, userId))!;
				if (people.members.some((x) => x.userId !== userId)) staying.push(m);
				else alonePeople.push(people);
			}
			const after = nothingAfter();
			await db.transaction().execute(async (trx) => {
				// Nobody else is left in these: nothing in them is anyone's record any more.
				for (const p of alonePeople) {
					await recordErasedAlone(trx, p.engagement.id, userId);
					await eraseEngagementIn(trx, p.engagement, p.sessions.map((s) => s.id), after);
				}
				await eraseAccountIn(trx, { id: user.id, name: user.name, email: user.email }, staying, after);
			});
			await finish(after);
			log.info({ user: userId, erasedEngagements: alonePeople.length, staying: staying.length }, 'account deleted');
			return ok(null);
		},

		async erasure(engagementId, userId) {
			const people = await peopleOf(engagementId, userId);
			return people && erasureState(db, people, userId, engagementId);
		},
		proposeErasure: (engagementId, userId) => agreement(engagementId, userId, true),
		agreeErasure: (engagementId, userId) => agreement(engagementId, userId, false),
		async withdrawErasure(engagementId, userId) {
			if (!(await peopleOf(engagementId, userId))) return fail('not_found', 'Not found.');
			return withdrawErasure(db, engagementId);
		}
	};
}
