/**
 * Calendars. Offers `createCalendar(deps)`:
 * - the `session_invite` email (invites.ts): every member's METHOD:REQUEST
 *   invite when a session is booked or moved, METHOD:CANCEL when it is
 *   cancelled, one stable UID per session and its SEQUENCE; the engagements
 *   feature queues these jobs in the transaction that changes the session;
 * - each person's private feed (a secret URL, only its hash kept in
 *   `calendar_feeds`, which this folder owns): create or regenerate, revoke,
 *   and the PUBLISH calendar of their sessions for a token;
 * - `sessionCalendar` and the event builders, also used by the summary's
 *   next-session attachment.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Auth } from '../auth/index.ts';
import type { Engagements, Member } from '../engagements/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { generateToken, hashToken } from '../auth/index.ts';
import { limits } from '../config/index.ts';
import { sessionCalendar } from './ics.ts';
import { sessionEvent, visiblePeople } from './events.ts';
import { inviteComposer } from './invites.ts';

export { sessionCalendar, sessionUid, type SessionEvent, type Person, type CalendarMethod } from './ics.ts';
export { sessionEvent, sessionTitle, visiblePeople } from './events.ts';

export interface FeedState {
	active: boolean;
	createdAt: number | null;
}

export interface Calendar {
	feedState(userId: string): Promise<FeedState>;
	/** A new secret feed URL token, replacing any earlier one (which stops working at once). */
	createFeed(userId: string): Promise<{ token: string }>;
	revokeFeed(userId: string): Promise<void>;
	/** The feed for a token as iCalendar text, or null when no feed has that token (revoked or never made). */
	feed(token: string): Promise<string | null>;
}

const TOKEN = /^[a-z2-7]{32}$/;

export function createCalendar(deps: {
	db: Kysely<Database>;
	engagements: Pick<Engagements, 'sessionRecord' | 'members' | 'calendarSessionsFor'>;
	auth: Pick<Auth, 'userTimeZone'>;
	mail: Pick<MailQueue, 'register'>;
	origin: string | undefined;
	now?: () => number;
}): Calendar {
	const { db } = deps;
	const now = deps.now ?? Date.now;
	deps.mail.register('session_invite', inviteComposer(deps));

	return {
		async feedState(userId) {
			const row = await db.selectFrom('calendar_feeds').select('created_at').where('user_id', '=', userId).executeTakeFirst();
			return { active: !!row, createdAt: row?.created_at ?? null };
		},

		async createFeed(userId) {
			const token = generateToken();
			const row = { user_id: userId, token_hash: hashToken(token), created_at: now() };
			await db
				.insertInto('calendar_feeds')
				.values(row)
				.onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: row.token_hash, created_at: row.created_at }))
				.execute();
			return { token };
		},

		async revokeFeed(userId) {
			await db.deleteFrom('calendar_feeds').where('user_id', '=', userId).execute();
		},

		async feed(token) {
			if (!TOKEN.test(token)) return null;
			const row = await db.selectFrom('calendar_feeds').select('user_id').where('token_hash', '=', hashToken(token)).executeTakeFirst();
			if (!row) return null;
			const sessions = await deps.engagements.calendarSessionsFor(row.user_id, now() - limits.calendar.feedHistoryMs, limits.calendar.feedMaxSessions);
			const people = new Map<string, Promise<Member[]>>();
			const events = [];
			for (const s of sessions) {
				if (!people.has(s.engagement_id)) people.set(s.engagement_id, deps.engagements.members(s.engagement_id));
				const members = await people.get(s.engagement_id)!;
				events.push(sessionEvent(s, { title: s.engagementTitle, kind: s.engagementKind, plannedSessions: s.plannedSessions }, visiblePeople(members, row.user_id), deps.origin));
			}
			return sessionCalendar('PUBLISH', events, { name: 'Confidante sessions', now: now() });
		}
	};
}
