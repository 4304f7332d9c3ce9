import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';

/**
 * The engagement's contract: numbered versions (a draft, then sent for
 * review, in force once everyone required accepted, superseded by a later
 * version) and each party's acceptance of a version, kept for good.
 */
export const contracts: Migration = {
	name: '0008_contracts',
	async up(db, t) {
		await db.schema
			.createTable('contracts')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('version', 'integer', (c) => c.notNull())
			.addColumn('status', 'text', (c) => c.notNull())
			// JSON of ContractBody (shared/contract/body.ts).
			.addColumn('body', 'text', (c) => c.notNull())
			// JSON array of the user ids whose acceptance puts it in force, fixed when it is sent.
			.addColumn('required', 'text', (c) => c.notNull().defaultTo('[]'))
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.addColumn('sent_at', t.time)
			.addColumn('in_force_at', t.time)
			.addColumn('superseded_at', t.time)
			.execute();
		await db.schema.createIndex('contracts_engagement_version').on('contracts').columns(['engagement_id', 'version']).unique().execute();
		// One draft per engagement at a time, even for two tabs opening one at once.
		await db.schema.createIndex('contracts_one_draft').on('contracts').column('engagement_id').unique().where(sql.ref('status'), '=', 'draft').execute();
		await db.schema
			.createTable('contract_acceptances')
			.addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('typed_name', 'text', (c) => c.notNull())
			// JSON array of the key clauses ticked.
			.addColumn('ticked', 'text', (c) => c.notNull())
			.addColumn('accepted_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('contract_acceptances_pk', ['contract_id', 'user_id'])
			.execute();
	}
};
