import type { Migration } from '../migrate.ts';

/** Accounts, engagements with their members, coaching sessions and invites. */
export const foundation: Migration = {
	name: '0001_foundation',
	async up(db, t) {
		await db.schema
			.createTable('users')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('email', 'text', (c) => c.notNull().unique())
			.addColumn('name', 'text', (c) => c.notNull())
			.addColumn('password_hash', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createTable('auth_sessions')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();
		await db.schema
			.createTable('engagements')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('title', 'text', (c) => c.notNull())
			.addColumn('goals', 'text', (c) => c.notNull())
			.addColumn('planned_sessions', 'integer')
			.addColumn('frequency', 'text')
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createTable('engagement_members')
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('joined_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('engagement_members_pk', ['engagement_id', 'user_id'])
			.execute();
		await db.schema.createIndex('engagement_members_user').on('engagement_members').column('user_id').execute();
		await db.schema
			.createTable('coaching_sessions')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('number', 'integer', (c) => c.notNull())
			.addColumn('scheduled_at', t.time, (c) => c.notNull())
			.addColumn('duration_minutes', 'integer', (c) => c.notNull())
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('started_at', t.time)
			.addColumn('ended_at', t.time)
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createIndex('coaching_sessions_engagement')
			.on('coaching_sessions')
			.columns(['engagement_id', 'scheduled_at'])
			.execute();
		await db.schema
			.createTable('invites')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('engagement_id', 'text', (c) => c.notNull().references('engagements.id').onDelete('cascade'))
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.addColumn('used_by', 'text', (c) => c.references('users.id'))
			.execute();
	}
};
