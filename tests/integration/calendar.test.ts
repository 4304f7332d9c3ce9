/**
 * Sessions in calendars, on both stores (SQLite file and a fresh PostgreSQL
 * schema), with the real mail queue writing to its outbox and an injected
 * clock: invites per recipient without other members' addresses, a move by
 * the coachee (same UID, higher SEQUENCE, the reason told), a cancellation
 * with notice and a late one (recorded and counted), the refusals, and the
 * private feed (revoked or replaced address refused).
 */
import fs from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/index.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createCalendar } from '../../server/calendar/index.ts';
import type { MailService } from '../../server/mail/index.ts';
import { openTestStore, type TestStore } from '../helpers/store.ts';
import { uniqueEmail } from '../helpers/http.ts';

const HOUR = 3_600_000;
const PASSWORD = 'a sturdy passphrase 42';

function parseIcs(text: string) {
	const cal = new ICAL.Component(ICAL.parse(text));
	const e = cal.getFirstSubcomponent('vevent')!;
	return {
		method: cal.getFirstPropertyValue('method'),
		uid: e.getFirstPropertyValue('uid'),
		sequence: e.getFirstPropertyValue('sequence'),
		start: (e.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime(),
		organizer: String(e.getFirstPropertyValue('organizer')).toLowerCase(),
		attendees: e.getAllProperties('attendee').map((a) => String(a.getFirstValue()).toLowerCase().replace(/^mailto:/, ''))
	};
}

for (const kind of ['sqlite', 'postgres'] as const) {
	describe(`calendar on ${kind}`, () => {
		let store: Store;
		let mail: MailService;
		let dir: string;
		let opened: TestStore;
		// The clock every service reads: tests move it instead of waiting.
		let clock = Date.UTC(2026, 5, 1, 9, 0);
		const now = () => clock;

		beforeAll(async () => {
			opened = await openTestStore(kind, 'calendar');
			({ store, mail, dir } = opened);
		});
		afterAll(() => opened?.close());

		async function world(contract = { version: 1, sessions: 3, noticeHours: 48 }) {
			const auth = createAuth(store.db);
			const engagements = createEngagements(store.db, auth, { contractInForce: async () => contract, mail, now });
			const calendar = createCalendar({ db: store.db, engagements, auth, mail, origin: 'https://coach.example.org', now });
			const person = async (name: string, timeZone: string) => {
				const email = uniqueEmail(name.split(/[^A-Za-z]/)[0]!.toLowerCase());
				const r = await auth.createAccount({ name, email, password: PASSWORD, timeZone });
				if (!r.ok) throw new Error(r.error.message);
				return { id: r.value.user.id, email };
			};
			const coach = await person('Casey Coach', 'Europe/London');
			const sam = await person('Sam\r\nX-INJECTED-ATTENDEE:1', 'America/New_York');
			const alex = await person('Alex Coachee', 'UTC');
			const stranger = await person('Stella Stranger', 'UTC');
			const e = await engagements.create(coach.id, { kind: 'coaching', title: 'Leading\nthe team', goals: '', plannedSessions: 3, frequency: 'monthly' });
			if (!e.ok) throw new Error(e.error.message);
			for (const who of [sam, alex]) {
				const invite = await engagements.createInvite(e.value.id, coach.id);
				if (!invite.ok) throw new Error(invite.error.message);
				await engagements.acceptInvite(invite.value.token, who.id);
			}
			return { auth, engagements, calendar, coach, sam, alex, stranger, engagementId: e.value.id };
		}

		const jobsFor = (sessionId: string) =>
			store.db.selectFrom('mail_jobs').selectAll().where('kind', '=', 'session_invite').where('subject_id', 'like', `${sessionId}:%`).orderBy('created_at').execute();

		async function delivered(sessionId: string, userId: string, sequence: number) {
			await mail.start();
			const subject = `${sessionId}:${sequence}`;
			await expect
				.poll(async () => (await store.db.selectFrom('mail_jobs').select('status').where('subject_id', '=', subject).where('user_id', '=', userId).executeTakeFirst())?.status, { timeout: 10_000 })
				.toBe('sent');
			const job = await store.db.selectFrom('mail_jobs').selectAll().where('subject_id', '=', subject).where('user_id', '=', userId).executeTakeFirstOrThrow();
			const message = await simpleParser(fs.readFileSync(path.join(dir, 'outbox', job.outbox_file!)));
			const ics = message.attachments.find((a) => a.contentType.startsWith('text/calendar'));
			if (!ics) throw new Error('no calendar part in the invite email');
			return { message, ics: ics.content.toString('utf8'), parsed: parseIcs(ics.content.toString('utf8')) };
		}

		it('a booked session sends every member a REQUEST naming only the coach and that member', async () => {
			const w = await world();
			const booked = await w.engagements.scheduleSession(w.engagementId, w.coach.id, { kind: 'session', scheduledAtLocal: '2026-06-10T15:00', durationMinutes: '60' });
			if (!booked.ok) throw new Error(booked.error.message);
			// 15:00 in London in June is 14:00 UTC.
			expect(booked.value.scheduled_at).toBe(Date.UTC(2026, 5, 10, 14, 0));
			const jobs = await jobsFor(booked.value.id);
			expect(jobs.map((j) => j.user_id).sort()).toEqual([w.coach.id, w.sam.id, w.alex.id].sort());
			// The name was made one line at sign-up.
			expect(jobs.find((j) => j.user_id === w.sam.id)!.to_name).toBe('Sam X-INJECTED-ATTENDEE:1');

			const sam = await delivered(booked.value.id, w.sam.id, 0);
			expect(sam.parsed).toMatchObject({ method: 'REQUEST', uid: `${booked.value.id}@confidante`, sequence: 0, start: Date.UTC(2026, 5, 10, 14, 0) });
			expect(sam.parsed.organizer).toBe(`mailto:${w.coach.email}`);
			expect(sam.parsed.attendees).toEqual([w.sam.email]);
			expect(sam.ics).not.toContain(w.alex.email);
			expect(sam.ics).not.toMatch(/^X-INJECTED/m);
			expect(sam.message.subject).toContain('Leading the team: Session 1 of 3');
			// Sam reads it in New York time, with the join link.
			expect(sam.message.text).toContain('10:00 GMT-4 (New York)');
			expect(sam.message.text).toContain(`https://coach.example.org/sessions/${booked.value.id}`);

			const coach = await delivered(booked.value.id, w.coach.id, 0);
			expect(coach.parsed.attendees.sort()).toEqual([w.sam.email, w.alex.email].sort());
			expect(coach.message.text).toContain('15:00 BST');
		});

		it('a coachee moves a session: same UID, SEQUENCE 1, the new time and the reason for everyone', async () => {
			const w = await world();
			const booked = await w.engagements.scheduleSession(w.engagementId, w.coach.id, { scheduledAt: new Date(clock + 10 * 24 * HOUR).toISOString(), durationMinutes: '60' });
			if (!booked.ok) throw new Error(booked.error.message);
			const moved = await w.engagements.rescheduleSession(booked.value.id, w.sam.id, { scheduledAtLocal: '2026-06-12T09:30', reason: 'A clash with the board meeting' });
			if (!moved.ok) throw new Error(moved.error.message);
			expect(moved.value.late).toBe(false);
			// Sam's 09:30 is New York time: 13:30 UTC.
			expect(moved.value.session.scheduled_at).toBe(Date.UTC(2026, 5, 12, 13, 30));
			expect(moved.value.session.sequence).toBe(1);
			const coach = await delivered(booked.value.id, w.coach.id, 1);
			expect(coach.parsed).toMatchObject({ method: 'REQUEST', uid: `${booked.value.id}@confidante`, sequence: 1, start: Date.UTC(2026, 5, 12, 13, 30) });
			expect(coach.message.subject).toMatch(/^Moved:/);
			expect(coach.message.text).toContain('Reason: A clash with the board meeting');
			expect(coach.message.text).toContain('14:30 BST');
		});

		it('refuses a time in the past, a move after the start, and anyone not in the engagement', async () => {
			const w = await world();
			const booked = await w.engagements.scheduleSession(w.engagementId, w.coach.id, { scheduledAt: new Date(clock + 3 * HOUR).toISOString(), durationMinutes: '60' });
			if (!booked.ok) throw new Error(booked.error.message);
			const id = booked.value.id;
			expect(await w.engagements.rescheduleSession(id, w.sam.id, { scheduledAt: new Date(clock - HOUR).toISOString(), reason: 'Earlier please' })).toMatchObject({
				ok: false,
				error: { code: 'invalid_input', field: 'scheduledAt', message: 'Choose a new time in the future.' }
			});
			expect(await w.engagements.rescheduleSession(id, w.stranger.id, { scheduledAt: new Date(clock + 5 * HOUR).toISOString(), reason: 'Because I can' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
			expect(await w.engagements.cancelSession(id, w.stranger.id, { reason: 'Because I can' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
			expect(await w.engagements.cancelSession(id, w.sam.id, { reason: '' })).toMatchObject({ ok: false, error: { field: 'reason' } });
			expect(await w.engagements.scheduleSession(w.engagementId, w.coach.id, { scheduledAt: new Date(clock - 2 * HOUR).toISOString(), durationMinutes: '60' })).toMatchObject({
				ok: false,
				error: { field: 'scheduledAt' }
			});
			const before = clock;
			clock += 3 * HOUR + 60_000;
			try {
				expect(await w.engagements.rescheduleSession(id, w.coach.id, { scheduledAt: new Date(clock + 24 * HOUR).toISOString(), reason: 'Running late' })).toMatchObject({
					ok: false,
					error: { code: 'conflict', message: expect.stringMatching(/already started/) }
				});
			} finally {
				clock = before;
			}
			expect((await jobsFor(id)).every((j) => j.subject_id === `${id}:0`)).toBe(true);
		});

		it('cancelling with notice frees the slot; a late cancellation is recorded and still counts', async () => {
			const w = await world({ version: 1, sessions: 2, noticeHours: 48 });
			const at = (h: number) => ({ scheduledAt: new Date(clock + h * HOUR).toISOString(), durationMinutes: '60' });
			const series = await w.engagements.scheduleSeries(w.engagementId, w.coach.id, [at(24 * 7), at(24 * 14)]);
			if (!series.ok) throw new Error(series.error.message);
			const [first, second] = series.value;
			expect(series.value.map((s) => s.number)).toEqual([1, 2]);
			expect(await w.engagements.scheduleSession(w.engagementId, w.coach.id, at(24 * 21))).toMatchObject({ ok: false, error: { code: 'conflict' } });

			// A week ahead, with 48 hours' notice asked: on time, the slot comes back.
			const onTime = await w.engagements.cancelSession(first!.id, w.sam.id, { reason: 'Off sick this week' });
			expect(onTime).toMatchObject({ ok: true, value: { late: false, session: { status: 'cancelled', sequence: 1, late_change: 0 } } });
			// The session after it moves up to number 1; the new one is number 2 of 2.
			expect((await w.engagements.sessionsOf(w.engagementId)).find((s) => s.id === second!.id)?.number).toBe(1);
			const third = await w.engagements.scheduleSession(w.engagementId, w.coach.id, at(24 * 21));
			expect(third).toMatchObject({ ok: true, value: { number: 2 } });
			expect(await w.engagements.cancelSession(first!.id, w.coach.id, { reason: 'Twice' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already cancelled/) } });

			// 13 days on, the second session is 24 hours away: late, allowed, recorded, counted.
			clock += 13 * 24 * HOUR;
			try {
				const late = await w.engagements.cancelSession(second!.id, w.coach.id, { reason: 'Family emergency' });
				expect(late).toMatchObject({ ok: true, value: { late: true, noticeHours: 48, session: { status: 'cancelled', late_change: 1 } } });
				expect(await w.engagements.scheduleSession(w.engagementId, w.coach.id, at(24 * 3))).toMatchObject({ ok: false, error: { code: 'conflict' } });
				const sam = await delivered(second!.id, w.sam.id, 1);
				expect(sam.parsed).toMatchObject({ method: 'CANCEL', uid: `${second!.id}@confidante`, sequence: 1 });
				expect(sam.message.subject).toMatch(/^Cancelled:/);
				expect(sam.message.text).toContain('Casey Coach cancelled');
				expect(sam.message.text).toContain('Reason: Family emergency');
				expect(sam.message.text).toContain('late cancellation');
			} finally {
				clock -= 13 * 24 * HOUR;
			}
		});

		it('the private feed lists a person’s sessions; a revoked or replaced address is refused', async () => {
			const w = await world();
			const booked = await w.engagements.scheduleSession(w.engagementId, w.coach.id, { scheduledAt: new Date(clock + 48 * HOUR).toISOString(), durationMinutes: '45' });
			if (!booked.ok) throw new Error(booked.error.message);
			expect(await w.calendar.feedState(w.sam.id)).toEqual({ active: false, createdAt: null });
			const { token } = await w.calendar.createFeed(w.sam.id);
			const stored = await store.db.selectFrom('calendar_feeds').selectAll().where('user_id', '=', w.sam.id).executeTakeFirstOrThrow();
			expect(stored.token_hash).not.toContain(token);
			const feed = await w.calendar.feed(token);
			expect(feed).not.toBeNull();
			const cal = new ICAL.Component(ICAL.parse(feed!));
			expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
			const events = cal.getAllSubcomponents('vevent');
			expect(events.map((e) => e.getFirstPropertyValue('uid'))).toEqual([`${booked.value.id}@confidante`]);
			expect(feed).not.toContain(w.alex.email);

			const { token: replaced } = await w.calendar.createFeed(w.sam.id);
			expect(await w.calendar.feed(token)).toBeNull();
			expect(await w.calendar.feed(replaced)).not.toBeNull();
			await w.calendar.revokeFeed(w.sam.id);
			expect(await w.calendar.feed(replaced)).toBeNull();
			expect(await w.calendar.feedState(w.sam.id)).toEqual({ active: false, createdAt: null });
			expect(await w.calendar.feed('not-a-token')).toBeNull();
		});
	});
}
