/**
 * Setting a scheme up: the scheme itself (its creator is its first
 * coordinator), invitations for volunteers and further coordinators, and the
 * volunteers' profiles. An invitation is addressed to one email address: its
 * link works once, for `limits.schemes.inviteLifetimeMs`, and only for the
 * account with that address. A profile is edited by its volunteer alone;
 * coordinators read it.
 */
import { sql, type Kysely } from 'kysely';
import { limits } from '../config/index.ts';
import type { Transaction } from 'kysely';
import type { Database, SchemeInviteRow, SchemeRow, SchemeVolunteerRow } from '../store/index.ts';
import { generateToken, newId } from '../auth/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { inviteForm, profileForm, schemeForm } from '../../shared/schemes/index.ts';
import { list, NO_SCHEME, type Person } from './rows.ts';

export async function isCoordinator(db: Kysely<Database>, schemeId: string, userId: string): Promise<boolean> {
	return !!(await db.selectFrom('scheme_coordinators').select('user_id').where('scheme_id', '=', schemeId).where('user_id', '=', userId).executeTakeFirst());
}

export const schemeRow = (db: Kysely<Database>, id: string): Promise<SchemeRow | undefined> => db.selectFrom('schemes').selectAll().where('id', '=', id).executeTakeFirst();

/** Marks a change to what ranking reads; run in the transaction of the change. */
export async function volunteersChanged(trx: Kysely<Database>, schemeId: string): Promise<void> {
	await trx.updateTable('schemes').set({ volunteers_rev: sql<number>`volunteers_rev + 1` }).where('id', '=', schemeId).execute();
}

export async function coordinatorsOf(db: Kysely<Database>, schemeId: string): Promise<string[]> {
	return (await db.selectFrom('scheme_coordinators').select('user_id').where('scheme_id', '=', schemeId).orderBy('joined_at').execute()).map((r) => r.user_id);
}

export async function createScheme(db: Kysely<Database>, userId: string, input: unknown): Promise<Result<SchemeRow>> {
	const parsed = schemeForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const f = parsed.data;
	if (f.areas.length > limits.schemes.maxAreas) return fail('invalid_input', `List at most ${limits.schemes.maxAreas} areas.`, 'areas');
	const now = Date.now();
	const row: SchemeRow = {
		id: newId(),
		name: f.name,
		purpose: f.purpose,
		kinds: f.kinds,
		areas: JSON.stringify(f.areas),
		covers: f.covers,
		excludes: f.excludes,
		max_months: f.maxMonths,
		expected_sessions: f.expectedSessions,
		frequency: f.frequency,
		session_minutes: f.sessionMinutes,
		created_by: userId,
		created_at: now
	};
	await db.transaction().execute(async (trx) => {
		await trx.insertInto('schemes').values(row).execute();
		await trx.insertInto('scheme_coordinators').values({ scheme_id: row.id, user_id: userId, joined_at: now }).execute();
	});
	return ok(row);
}

const INVALID = 'This invitation is not valid. Check that you copied all of the link.';

export function inviteProblem(invite: SchemeInviteRow | undefined, now: number): Result<SchemeInviteRow> {
	if (!invite) return fail('not_found', INVALID);
	if (invite.used_at !== null) return fail('gone', 'This invitation has already been used.');
	if (invite.expires_at <= now) return fail('gone', 'This invitation has expired. Ask the coordinator for a new one.');
	return ok(invite);
}

export async function createInvite(db: Kysely<Database>, schemeId: string, userId: string, input: unknown, enqueue: (trx: Kysely<Database>, invite: SchemeInviteRow) => Promise<void>): Promise<Result<SchemeInviteRow>> {
	if (!(await isCoordinator(db, schemeId, userId))) return fail('not_found', NO_SCHEME);
	const parsed = inviteForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const now = Date.now();
	const row: SchemeInviteRow = {
		id: generateToken(),
		scheme_id: schemeId,
		role: parsed.data.role,
		name: parsed.data.name,
		email: parsed.data.email,
		created_by: userId,
		created_at: now,
		expires_at: now + limits.schemes.inviteLifetimeMs,
		used_at: null,
		used_by: null
	};
	await db.transaction().execute(async (trx) => {
		await trx.insertInto('scheme_invites').values(row).execute();
		await enqueue(trx, row);
	});
	return ok(row);
}

/** Accepting: the signed-in account must have the invited address; the guarded update keeps it single use. */
export async function acceptInvite(db: Kysely<Database>, inviteId: string, user: Person): Promise<Result<{ schemeId: string; role: SchemeInviteRow['role'] }>> {
	const now = Date.now();
	const found = inviteProblem(await db.selectFrom('scheme_invites').selectAll().where('id', '=', inviteId).executeTakeFirst(), now);
	if (!found.ok) return found;
	const invite = found.value;
	if (invite.email !== user.email.toLowerCase()) return fail('forbidden', `This invitation is for ${invite.email}. Sign in with that address to accept it.`);
	return db.transaction().execute(async (trx) => {
		const taken = await trx.updateTable('scheme_invites').set({ used_at: now, used_by: user.id }).where('id', '=', inviteId).where('used_at', 'is', null).executeTakeFirst();
		if (Number(taken.numUpdatedRows) !== 1) return fail('gone', 'This invitation has already been used.');
		if (invite.role === 'coordinator') {
			const already = await trx.selectFrom('scheme_coordinators').select('user_id').where('scheme_id', '=', invite.scheme_id).where('user_id', '=', user.id).executeTakeFirst();
			if (!already) await trx.insertInto('scheme_coordinators').values({ scheme_id: invite.scheme_id, user_id: user.id, joined_at: now }).execute();
		} else {
			const already = await trx.selectFrom('scheme_volunteers').select('user_id').where('scheme_id', '=', invite.scheme_id).where('user_id', '=', user.id).executeTakeFirst();
			if (!already) await trx.insertInto('scheme_volunteers').values(emptyProfile(invite.scheme_id, user.id, now)).execute();
		}
		return ok({ schemeId: invite.scheme_id, role: invite.role });
	});
}

function emptyProfile(schemeId: string, userId: string, now: number): SchemeVolunteerRow {
	return {
		scheme_id: schemeId,
		user_id: userId,
		kinds: 'both',
		areas: '[]',
		free_words: '',
		experience: '',
		qualifications: '',
		languages: '[]',
		time_zone: 'UTC',
		capacity: 0,
		load: 0,
		availability: '',
		complete: 0,
		joined_at: now,
		updated_at: now
	};
}

export const volunteerRow = (db: Kysely<Database>, schemeId: string, userId: string) =>
	db.selectFrom('scheme_volunteers').selectAll().where('scheme_id', '=', schemeId).where('user_id', '=', userId).executeTakeFirst();

/** The volunteer alone edits their profile; capacity may not drop below the coachees they already have. */
export async function saveProfile(db: Kysely<Database>, schemeId: string, volunteerId: string, userId: string, input: unknown): Promise<Result<SchemeVolunteerRow>> {
	const [scheme, profile] = await Promise.all([schemeRow(db, schemeId), volunteerRow(db, schemeId, volunteerId)]);
	if (!scheme || !profile) return fail('not_found', 'No such profile.');
	if (volunteerId !== userId) {
		// Someone who may not read the profile learns nothing about it, not even that it exists; a coordinator reads it and is told why not.
		if (!(await isCoordinator(db, schemeId, userId))) return fail('not_found', 'No such profile.');
		return fail('forbidden', 'Only the volunteer edits their own profile.');
	}
	const parsed = profileForm.safeParse(input);
	if (!parsed.success) return invalidForm(parsed.error);
	const f = parsed.data;
	const offered = new Set(list(scheme.areas));
	const unknown = f.areas.filter((a) => !offered.has(a));
	if (unknown.length) return fail('invalid_input', `"${unknown[0]}" is not one of this scheme's areas; put your own words under "Other expertise".`, 'areas');
	const patch = {
		kinds: f.kinds,
		areas: JSON.stringify(f.areas),
		free_words: f.freeWords,
		experience: f.experience,
		qualifications: f.qualifications,
		languages: JSON.stringify(f.languages),
		time_zone: f.timeZone,
		capacity: f.capacity,
		availability: f.availability,
		complete: 1,
		updated_at: Date.now()
	};
	return db.transaction().execute(async (trx) => {
		// Guarded: a proposal taking a place at the same moment is counted before the new capacity is checked.
		const r = await trx.updateTable('scheme_volunteers').set(patch).where('scheme_id', '=', schemeId).where('user_id', '=', userId).where('load', '<=', f.capacity).executeTakeFirst();
		if (Number(r.numUpdatedRows) !== 1) return fail('conflict', `You have ${profile.load} coachees or proposals at the moment; capacity cannot be less than that.`, 'capacity');
		await volunteersChanged(trx, schemeId);
		return ok({ ...profile, ...patch });
	});
}

/** Takes (1) or frees (-1) one of a volunteer's places; taking is guarded by capacity. */
export async function changeLoad(trx: Transaction<Database>, schemeId: string, userId: string, change: 1 | -1) {
	let q = trx.updateTable('scheme_volunteers').set({ load: sql<number>`load + ${change}` }).where('scheme_id', '=', schemeId).where('user_id', '=', userId);
	q = change === 1 ? q.where('complete', '=', 1).whereRef('load', '<', 'capacity') : q.where('load', '>', 0);
	const r = await q.executeTakeFirst();
	if (Number(r.numUpdatedRows) === 1) await volunteersChanged(trx, schemeId);
	return r;
}
