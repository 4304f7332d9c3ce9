import type { Migration } from '../migrate.ts';

/**
 * Coaching and mentoring schemes: the scheme and its coordinators (a role of
 * their own, never an engagement member), invitations, volunteer profiles
 * with their capacity and current load, requests with the readiness check,
 * proposed matches with both answers, and feedback after a placement.
 * `scheme_volunteers.load` is kept by guarded updates (`load < capacity`), so
 * two proposals at once can never take a volunteer beyond capacity, and
 * `schemes.volunteers_rev` changes with anything ranking reads.
 */
export const schemes: Migration = {
	name: '0019_schemes',
	async up(db, t) {
		await db.schema
			.createTable('schemes')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('name', 'text', (c) => c.notNull())
			.addColumn('purpose', 'text', (c) => c.notNull())
			.addColumn('kinds', 'text', (c) => c.notNull())
			// JSON array: the controlled list of expertise areas.
			.addColumn('areas', 'text', (c) => c.notNull())
			.addColumn('covers', 'text', (c) => c.notNull())
			.addColumn('excludes', 'text', (c) => c.notNull())
			.addColumn('max_months', 'integer', (c) => c.notNull())
			.addColumn('expected_sessions', 'integer', (c) => c.notNull())
			.addColumn('frequency', 'text', (c) => c.notNull())
			.addColumn('session_minutes', 'integer', (c) => c.notNull())
			// Bumped with every change to who can be suggested (a profile, a load, a rating): ranking's cache key.
			.addColumn('volunteers_rev', 'integer', (c) => c.notNull().defaultTo(0))
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.execute();
		await db.schema
			.createTable('scheme_coordinators')
			.addColumn('scheme_id', 'text', (c) => c.notNull().references('schemes.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('joined_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('scheme_coordinators_pk', ['scheme_id', 'user_id'])
			.execute();
		await db.schema.createIndex('scheme_coordinators_user').on('scheme_coordinators').column('user_id').execute();
		await db.schema
			.createTable('scheme_invites')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('scheme_id', 'text', (c) => c.notNull().references('schemes.id').onDelete('cascade'))
			// volunteer | coordinator
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('name', 'text', (c) => c.notNull())
			.addColumn('email', 'text', (c) => c.notNull())
			.addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('expires_at', t.time, (c) => c.notNull())
			.addColumn('used_at', t.time)
			.addColumn('used_by', 'text', (c) => c.references('users.id'))
			.execute();
		await db.schema
			.createTable('scheme_volunteers')
			.addColumn('scheme_id', 'text', (c) => c.notNull().references('schemes.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('kinds', 'text', (c) => c.notNull())
			.addColumn('areas', 'text', (c) => c.notNull())
			.addColumn('free_words', 'text', (c) => c.notNull())
			.addColumn('experience', 'text', (c) => c.notNull())
			.addColumn('qualifications', 'text', (c) => c.notNull())
			.addColumn('languages', 'text', (c) => c.notNull())
			.addColumn('time_zone', 'text', (c) => c.notNull())
			.addColumn('capacity', 'integer', (c) => c.notNull())
			.addColumn('load', 'integer', (c) => c.notNull())
			.addColumn('availability', 'text', (c) => c.notNull())
			// 0 until the volunteer has filled in their profile once.
			.addColumn('complete', 'integer', (c) => c.notNull())
			.addColumn('joined_at', t.time, (c) => c.notNull())
			.addColumn('updated_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('scheme_volunteers_pk', ['scheme_id', 'user_id'])
			.execute();
		await db.schema.createIndex('scheme_volunteers_user').on('scheme_volunteers').column('user_id').execute();
		await db.schema
			.createTable('scheme_requests')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('scheme_id', 'text', (c) => c.notNull().references('schemes.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			.addColumn('kind', 'text', (c) => c.notNull())
			.addColumn('develop', 'text', (c) => c.notNull())
			.addColumn('why_now', 'text', (c) => c.notNull())
			.addColumn('success', 'text', (c) => c.notNull())
			.addColumn('clarity', 'text', (c) => c.notNull())
			.addColumn('commitment', 'text', (c) => c.notNull())
			.addColumn('areas', 'text', (c) => c.notNull())
			.addColumn('languages', 'text', (c) => c.notNull())
			.addColumn('time_zone', 'text', (c) => c.notNull())
			// open -> proposed -> placed, or back to open; withdrawn by the requester.
			.addColumn('status', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addColumn('placed_at', t.time)
			.execute();
		await db.schema.createIndex('scheme_requests_scheme').on('scheme_requests').columns(['scheme_id', 'status', 'created_at']).execute();
		await db.schema.createIndex('scheme_requests_user').on('scheme_requests').column('user_id').execute();
		await db.schema
			.createTable('scheme_matches')
			.addColumn('id', 'text', (c) => c.primaryKey())
			.addColumn('scheme_id', 'text', (c) => c.notNull().references('schemes.id').onDelete('cascade'))
			.addColumn('request_id', 'text', (c) => c.notNull().references('scheme_requests.id').onDelete('cascade'))
			.addColumn('volunteer_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('requester_id', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
			.addColumn('proposed_at', t.time, (c) => c.notNull())
			.addColumn('note', 'text', (c) => c.notNull())
			.addColumn('state', 'text', (c) => c.notNull())
			.addColumn('volunteer_answer', 'text')
			.addColumn('volunteer_reason', 'text')
			.addColumn('volunteer_answered_at', t.time)
			.addColumn('requester_answer', 'text')
			.addColumn('requester_reason', 'text')
			.addColumn('requester_answered_at', t.time)
			.addColumn('engagement_id', 'text')
			.addColumn('closed_at', t.time)
			.execute();
		await db.schema.createIndex('scheme_matches_request').on('scheme_matches').columns(['request_id', 'proposed_at']).execute();
		await db.schema.createIndex('scheme_matches_scheme').on('scheme_matches').columns(['scheme_id', 'state']).execute();
		await db.schema.createIndex('scheme_matches_volunteer').on('scheme_matches').columns(['volunteer_id', 'state']).execute();
		await db.schema
			.createTable('scheme_feedback')
			.addColumn('match_id', 'text', (c) => c.notNull().references('scheme_matches.id').onDelete('cascade'))
			.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
			// coach | coachee
			.addColumn('role', 'text', (c) => c.notNull())
			.addColumn('helpful', 'integer', (c) => c.notNull())
			.addColumn('learning', 'integer', (c) => c.notNull())
			.addColumn('gained', 'integer', (c) => c.notNull())
			.addColumn('comment', 'text', (c) => c.notNull())
			.addColumn('created_at', t.time, (c) => c.notNull())
			.addPrimaryKeyConstraint('scheme_feedback_pk', ['match_id', 'user_id'])
			.execute();
	}
};
