/** The calendar feed's part of export and erasure (server/yourdata/registry.ts). */
import type { TableGroup } from '../yourdata/registry.ts';

export const calendarGroup: TableGroup = {
	name: 'calendar',
	exports: ['calendar_feeds'],
	erases: ['calendar_feeds'],
	sees: 'Everyone: whether their calendar feed is on and since when (never its secret address, of which only a hash is kept).',

	async export({ db, person }) {
		const feed = await db.selectFrom('calendar_feeds').select(['created_at']).where('user_id', '=', person.id).executeTakeFirst();
		return [{ path: 'account/calendar-feed.json', json: feed ? { on: true, createdAt: feed.created_at } : { on: false } }];
	},

	async eraseEngagement() {
		// A feed is a person's, not an engagement's.
	},

	async eraseAccount({ trx, person }) {
		await trx.deleteFrom('calendar_feeds').where('user_id', '=', person.id).execute();
	}
};
