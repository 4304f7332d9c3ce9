/**
 * The contracts tables, read and written only here: versions and the
 * acceptances of each. Rows become `ContractVersion` values with their JSON
 * parsed, so nothing outside this file sees the storage shape.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ContractAcceptanceRow, ContractRow, Database } from '../store/index.ts';
import type { ContractBody, ContractStatus, KeyClause } from '../../shared/contract/index.ts';

export interface ContractAcceptance {
	userId: string;
	typedName: string;
	ticked: KeyClause[];
	acceptedAt: number;
}

export interface ContractVersion {
	id: string;
	engagementId: string;
	version: number;
	status: ContractStatus;
	body: ContractBody;
	/** Who must accept for it to be in force (set when it is sent). */
	required: string[];
	acceptances: ContractAcceptance[];
	createdBy: string;
	createdAt: number;
	updatedAt: number;
	sentAt: number | null;
	inForceAt: number | null;
	supersededAt: number | null;
}

type Db = Kysely<Database> | Transaction<Database>;

function toAcceptance(r: ContractAcceptanceRow): ContractAcceptance {
	return { userId: r.user_id, typedName: r.typed_name, ticked: JSON.parse(r.ticked) as KeyClause[], acceptedAt: r.accepted_at };
}

function toVersion(r: ContractRow, acceptances: ContractAcceptanceRow[]): ContractVersion {
	return {
		id: r.id,
		engagementId: r.engagement_id,
		version: r.version,
		status: r.status,
		body: JSON.parse(r.body) as ContractBody,
		required: JSON.parse(r.required) as string[],
		acceptances: acceptances.filter((a) => a.contract_id === r.id).map(toAcceptance),
		createdBy: r.created_by,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		sentAt: r.sent_at,
		inForceAt: r.in_force_at,
		supersededAt: r.superseded_at
	};
}

async function withAcceptances(db: Db, rows: ContractRow[]): Promise<ContractVersion[]> {
	if (rows.length === 0) return [];
	const acceptances = await db
		.selectFrom('contract_acceptances')
		.selectAll()
		.where(
			'contract_id',
			'in',
			rows.map((r) => r.id)
		)
		.orderBy('accepted_at')
		.execute();
	return rows.map((r) => toVersion(r, acceptances));
}

export async function listVersions(db: Db, engagementId: string): Promise<ContractVersion[]> {
	const rows = await db.selectFrom('contracts').selectAll().where('engagement_id', '=', engagementId).orderBy('version', 'desc').execute();
	return withAcceptances(db, rows);
}

export async function findVersion(db: Db, engagementId: string, where: { version: number } | { status: ContractStatus }, lock = false): Promise<ContractVersion | null> {
	let q = db.selectFrom('contracts').selectAll().where('engagement_id', '=', engagementId);
	q = 'version' in where ? q.where('version', '=', where.version) : q.where('status', '=', where.status).orderBy('version', 'desc');
	// On PostgreSQL the row lock makes racing acceptances and a racing new version take turns; SQLite runs one transaction at a time anyway.
	const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
	return row ? ((await withAcceptances(db, [row]))[0] ?? null) : null;
}

export async function findVersionById(db: Db, id: string): Promise<ContractVersion | null> {
	const row = await db.selectFrom('contracts').selectAll().where('id', '=', id).executeTakeFirst();
	return row ? ((await withAcceptances(db, [row]))[0] ?? null) : null;
}

export async function latestVersionNumber(db: Db, engagementId: string): Promise<number> {
	const row = await db.selectFrom('contracts').select((eb) => eb.fn.max('version').as('v')).where('engagement_id', '=', engagementId).executeTakeFirst();
	return Number(row?.v ?? 0);
}

export async function insertVersion(db: Db, row: ContractRow): Promise<void> {
	await db.insertInto('contracts').values(row).execute();
}

export async function updateVersion(db: Db, id: string, fromStatus: ContractStatus, set: Partial<Pick<ContractRow, 'status' | 'body' | 'required' | 'updated_at' | 'sent_at' | 'in_force_at' | 'superseded_at'>>): Promise<boolean> {
	const r = await db.updateTable('contracts').set(set).where('id', '=', id).where('status', '=', fromStatus).executeTakeFirst();
	return Number(r.numUpdatedRows) === 1;
}

export async function insertAcceptance(db: Db, row: ContractAcceptanceRow): Promise<void> {
	await db.insertInto('contract_acceptances').values(row).execute();
}
