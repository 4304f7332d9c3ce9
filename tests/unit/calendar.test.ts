/**
 * Invites, updates, cancellations and feeds read back by an independent
 * iCalendar parser (ical.js): METHOD, a stable UID, SEQUENCE, the people each
 * copy names, the time in UTC, and names with line breaks that stay inside
 * their property (issue 17: a name once added X-INJECTED-ORGANIZER and URL).
 * Also the wall-time conversion of the schedule form across daylight-saving
 * changes in two zones, and the rules for moving and cancelling.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { sessionCalendar, sessionUid, type SessionEvent } from '../../server/calendar/ics.ts';
import { visiblePeople } from '../../server/calendar/events.ts';
import { inviteComposer } from '../../server/calendar/invites.ts';
import { changeAllowed, countsAgainstContract, rescheduleAllowed } from '../../server/engagements/rules.ts';
import { inviteSubject } from '../../server/engagements/sessions.ts';
import type { CoachingSessionRow, EngagementRow, MailJobRow } from '../../server/store/index.ts';
import type { Member } from '../../server/engagements/index.ts';
import { engagementForm, signUpForm, singleLine } from '../../shared/forms/index.ts';
import { formatWhen, instantToWallTime, wallTimeToInstant } from '../../shared/time.ts';

function parse(text: string) {
	const cal = new ICAL.Component(ICAL.parse(text));
	const events = cal.getAllSubcomponents('vevent');
	return { cal, method: cal.getFirstPropertyValue('method'), events, event: events[0]! };
}

const start = Date.UTC(2026, 11, 3, 10, 0);
const event = (over: Partial<SessionEvent> = {}): SessionEvent => ({
	sessionId: 's1',
	sequence: 0,
	start,
	durationMinutes: 60,
	title: 'Leading the team: Session 1 of 6',
	description: 'Coaching session in Confidante.',
	url: 'https://coach.example.org/sessions/s1',
	cancelled: false,
	organizer: { name: 'Casey Coach', email: 'casey@example.org' },
	attendees: [{ name: 'Sam Coachee', email: 'sam@example.org' }],
	...over
});

describe('invites as a calendar app reads them', () => {
	it('a REQUEST names the session by a stable UID, its SEQUENCE, organizer, attendee, link and UTC time', () => {
		const { method, events, event: e } = parse(sessionCalendar('REQUEST', [event()]));
		expect(method).toBe('REQUEST');
		expect(events).toHaveLength(1);
		expect(e.getFirstPropertyValue('uid')).toBe('s1@confidante');
		expect(e.getFirstPropertyValue('sequence')).toBe(0);
		expect(e.getFirstPropertyValue('status')).toBe('CONFIRMED');
		const dtstart = e.getFirstPropertyValue('dtstart') as ICAL.Time;
		expect(dtstart.zone?.tzid).toBe('UTC');
		expect(dtstart.toJSDate().getTime()).toBe(start);
		expect((e.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate().getTime()).toBe(start + 60 * 60_000);
		const organizer = e.getFirstProperty('organizer')!;
		expect(organizer.getFirstValue()).toMatch(/^mailto:casey@example\.org$/i);
		expect(organizer.getParameter('cn')).toBe('Casey Coach');
		expect(e.getAllProperties('attendee').map((a) => String(a.getFirstValue()).toLowerCase())).toEqual(['mailto:sam@example.org']);
		expect(e.getFirstPropertyValue('url')).toBe('https://coach.example.org/sessions/s1');
		expect(String(e.getFirstPropertyValue('description'))).toContain('Join: https://coach.example.org/sessions/s1');
	});

	it('an update keeps the UID and raises SEQUENCE; a cancellation is METHOD:CANCEL of the same UID', () => {
		const first = parse(sessionCalendar('REQUEST', [event()])).event;
		const moved = parse(sessionCalendar('REQUEST', [event({ sequence: 1, start: start + 86_400_000 })])).event;
		const cancelled = parse(sessionCalendar('CANCEL', [event({ sequence: 2, start: start + 86_400_000, cancelled: true })]));
		expect(moved.getFirstPropertyValue('uid')).toBe(first.getFirstPropertyValue('uid'));
		expect(moved.getFirstPropertyValue('sequence')).toBe(1);
		expect(cancelled.method).toBe('CANCEL');
		expect(cancelled.event.getFirstPropertyValue('uid')).toBe(sessionUid('s1'));
		expect(cancelled.event.getFirstPropertyValue('sequence')).toBe(2);
		expect(cancelled.event.getFirstPropertyValue('status')).toBe('CANCELLED');
	});

	it('a name or title with CR, LF or CRLF stays inside its own property (no injected lines)', () => {
		const hostile = 'Casey\r\nX-INJECTED-ORGANIZER:1\r\nURL:https://evil.example\rX-BARE-CR:1\nX-BARE-LF:1';
		const text = sessionCalendar('REQUEST', [
			event({ title: `Team\r\nX-INJECTED-TITLE:1`, organizer: { name: hostile, email: 'casey@example.org' }, attendees: [{ name: 'Sam\rX-INJECTED-ATTENDEE:1', email: 'sam@example.org' }] })
		]);
		const { cal, event: e } = parse(text);
		const names = e.getAllProperties().map((p) => p.name);
		expect(names.filter((n) => n.startsWith('x-'))).toEqual([]);
		expect(cal.getAllProperties().map((p) => p.name).filter((n) => n.startsWith('x-'))).toEqual([]);
		expect(e.getAllProperties('url')).toHaveLength(1);
		expect(e.getFirstPropertyValue('url')).toBe('https://coach.example.org/sessions/s1');
		// The text survives as text, the line breaks as escaped newlines inside the value.
		expect(String(e.getFirstProperty('organizer')!.getParameter('cn'))).toContain('X-INJECTED-ORGANIZER:1');
		expect(String(e.getFirstPropertyValue('summary'))).toBe('Team\nX-INJECTED-TITLE:1');
		// And no raw line of the file starts with what the name tried to add.
		expect(text.split(/\r?\n|\r/).some((line) => /^(X-|URL:https:\/\/evil)/.test(line))).toBe(false);
	});

	it('a feed is PUBLISH with one event per session', () => {
		const { method, events } = parse(sessionCalendar('PUBLISH', [event(), event({ sessionId: 's2', cancelled: true, sequence: 3 })], { name: 'Confidante sessions' }));
		expect(method).toBe('PUBLISH');
		expect(events.map((e) => [e.getFirstPropertyValue('uid'), e.getFirstPropertyValue('status')])).toEqual([
			['s1@confidante', 'CONFIRMED'],
			['s2@confidante', 'CANCELLED']
		]);
	});
});

describe('names and titles are one line from where they are typed', () => {
	it('strips CR, LF, other control characters and line separators', () => {
		expect(singleLine('Casey\r\nX-INJECTED:1\rY\u2028Z\u0000')).toBe('Casey X-INJECTED:1 Y Z');
		const signUp = signUpForm.parse({ name: 'Casey\r\nX-INJECTED-ORGANIZER:1', email: 'c@example.org', password: 'correct horse battery' });
		expect(signUp.name).toBe('Casey X-INJECTED-ORGANIZER:1');
		expect(engagementForm.parse({ kind: 'coaching', title: 'Team\nURL:https://evil.example', goals: '', plannedSessions: '', frequency: '' }).title).toBe('Team URL:https://evil.example');
		expect(signUpForm.safeParse({ name: '\r\n', email: 'c@example.org', password: 'correct horse battery' }).success).toBe(false);
	});

	it('an unknown or missing browser zone starts the account on UTC', () => {
		const base = { name: 'Casey', email: 'c@example.org', password: 'correct horse battery' };
		expect(signUpForm.parse(base).timeZone).toBe('UTC');
		expect(signUpForm.parse({ ...base, timeZone: 'Mars/Olympus' }).timeZone).toBe('UTC');
		expect(signUpForm.parse({ ...base, timeZone: 'America/New_York' }).timeZone).toBe('America/New_York');
	});
});

const members: Member[] = [
	{ userId: 'coach', name: 'Casey Coach', email: 'casey@example.org', role: 'coach' },
	{ userId: 'sam', name: 'Sam Coachee', email: 'sam@example.org', role: 'coachee' },
	{ userId: 'alex', name: 'Alex Coachee', email: 'alex@example.org', role: 'coachee' }
];

describe('a group session discloses no coachee to another', () => {
	it("a coachee's copy names the coach and that coachee; the coach's names every coachee", () => {
		expect(visiblePeople(members, 'sam')).toEqual({ organizer: { name: 'Casey Coach', email: 'casey@example.org' }, attendees: [{ name: 'Sam Coachee', email: 'sam@example.org' }] });
		expect(visiblePeople(members, 'coach').attendees.map((a) => a.email)).toEqual(['sam@example.org', 'alex@example.org']);
	});
});

describe('the invite email, composed from the session as it is when sent', () => {
	const engagement: EngagementRow = { id: 'e1', kind: 'coaching', title: 'Leading the team', goals: '', planned_sessions: 6, frequency: 'monthly', created_by: 'coach', created_at: 0 };
	const base: CoachingSessionRow = {
		id: 's1', engagement_id: 'e1', kind: 'session', number: 1, scheduled_at: Date.UTC(2026, 6, 1, 14, 0), duration_minutes: 60, status: 'scheduled',
		started_at: null, ended_at: null, created_at: 0, sequence: 0, changed_by: null, change_reason: null, changed_at: null, late_change: 0
	};
	const zones: Record<string, string> = { coach: 'Europe/London', sam: 'America/New_York', alex: 'UTC' };
	const compose = (session: CoachingSessionRow, userId: string) =>
		inviteComposer({
			engagements: { sessionRecord: async () => ({ session, engagement }), members: async () => members },
			auth: { userTimeZone: async (id) => zones[id] ?? 'UTC' },
			origin: 'https://coach.example.org'
		})({ user_id: userId, subject_id: inviteSubject(session.id, session.sequence) } as MailJobRow);

	it('invites each reader in their own wall time, with only the people they may see', async () => {
		const sam = await compose(base, 'sam');
		expect(sam.subject).toMatch(/^Invitation: Leading the team: Session 1 of 6/);
		expect(sam.text).toContain('10:00 GMT-4 (New York)');
		expect((await compose(base, 'coach')).text).toContain('15:00 BST');
		const ics = (sam.icalEvent as { method: string; content: string });
		expect(ics.method).toBe('REQUEST');
		const e = parse(ics.content).event;
		expect(e.getAllProperties('attendee').map((a) => String(a.getFirstValue()).toLowerCase())).toEqual(['mailto:sam@example.org']);
		expect(ics.content).not.toContain('alex@example.org');
	});

	it('a move carries the new time, the raised SEQUENCE, who moved it and why', async () => {
		const moved = { ...base, scheduled_at: base.scheduled_at + 86_400_000, sequence: 1, changed_by: 'sam', change_reason: 'A clash with a board meeting', changed_at: 1 };
		const coach = await compose(moved, 'coach');
		expect(coach.subject).toMatch(/^Moved:/);
		expect(coach.text).toContain('Sam Coachee moved');
		expect(coach.text).toContain('Reason: A clash with a board meeting');
		const e = parse((coach.icalEvent as { content: string }).content).event;
		expect(e.getFirstPropertyValue('sequence')).toBe(1);
		expect((e.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime()).toBe(moved.scheduled_at);
	});

	it('a cancellation is METHOD:CANCEL and says when it was late', async () => {
		const cancelled = { ...base, status: 'cancelled' as const, sequence: 2, changed_by: 'coach', change_reason: 'Ill', changed_at: 1, late_change: 1 };
		const sam = await compose(cancelled, 'sam');
		const ics = sam.icalEvent as { method: string; content: string };
		expect(ics.method).toBe('CANCEL');
		expect(parse(ics.content).method).toBe('CANCEL');
		expect(sam.text).toContain('Casey Coach cancelled');
		expect(sam.text).toContain('late cancellation');
		expect((await compose(cancelled, 'coach')).text).toContain('You cancelled');
	});

	it('refuses for good when the reader left the engagement', async () => {
		await expect(compose(base, 'stranger')).rejects.toMatchObject({ code: 'EMESSAGE' });
	});
});

describe('wall time in the coach zone, across daylight-saving changes', () => {
	const utc = (iso: string) => Date.parse(iso);
	it('Europe/London: GMT before 29 March 2026, BST after, GMT again after 25 October', () => {
		expect(wallTimeToInstant('2026-03-28T10:00', 'Europe/London')).toBe(utc('2026-03-28T10:00:00Z'));
		expect(wallTimeToInstant('2026-03-29T10:00', 'Europe/London')).toBe(utc('2026-03-29T09:00:00Z'));
		expect(wallTimeToInstant('2026-10-24T10:00', 'Europe/London')).toBe(utc('2026-10-24T09:00:00Z'));
		expect(wallTimeToInstant('2026-10-25T10:00', 'Europe/London')).toBe(utc('2026-10-25T10:00:00Z'));
		// 01:30 on 29 March does not exist there: it moves forward by the hour the clocks skipped.
		expect(wallTimeToInstant('2026-03-29T01:30', 'Europe/London')).toBe(utc('2026-03-29T01:30:00Z'));
	});

	it('America/New_York: EST before 8 March 2026, EDT after, EST again after 1 November', () => {
		expect(wallTimeToInstant('2026-03-07T10:00', 'America/New_York')).toBe(utc('2026-03-07T15:00:00Z'));
		expect(wallTimeToInstant('2026-03-08T10:00', 'America/New_York')).toBe(utc('2026-03-08T14:00:00Z'));
		expect(wallTimeToInstant('2026-10-31T10:00', 'America/New_York')).toBe(utc('2026-10-31T14:00:00Z'));
		expect(wallTimeToInstant('2026-11-01T10:00', 'America/New_York')).toBe(utc('2026-11-01T15:00:00Z'));
		expect(wallTimeToInstant('2026-03-08T02:30', 'America/New_York')).toBe(utc('2026-03-08T07:30:00Z'));
	});

	it('a weekly 10:00 in London keeps its wall time over the change, while New York sees it move', () => {
		const weeks = ['2026-03-22T10:00', '2026-03-29T10:00'].map((w) => wallTimeToInstant(w, 'Europe/London')!);
		expect(weeks.map((at) => instantToWallTime(at, 'Europe/London'))).toEqual(['2026-03-22T10:00', '2026-03-29T10:00']);
		// New York changed on 8 March, London on 29 March: the gap between them is 4 hours, then 5.
		expect(weeks.map((at) => instantToWallTime(at, 'America/New_York'))).toEqual(['2026-03-22T06:00', '2026-03-29T05:00']);
		expect(formatWhen(weeks[1]!, 'Europe/London')).toContain('10:00 BST');
		expect(formatWhen(weeks[1]!, 'America/New_York')).toContain('05:00 GMT-4 (New York)');
	});

	it('refuses what is not a wall time or not a zone', () => {
		expect(wallTimeToInstant('2026-02-31T10:00', 'Europe/London')).toBeNull();
		expect(wallTimeToInstant('2026-03-01 10:00pm', 'Europe/London')).toBeNull();
		expect(wallTimeToInstant('2026-03-01T10:00', 'Mars/Olympus')).toBeNull();
	});
});

describe('moving and cancelling', () => {
	const now = Date.UTC(2026, 5, 1, 12);
	const at = (hours: number) => ({ status: 'scheduled' as const, scheduled_at: now + hours * 3_600_000 });

	it('is late inside the notice, allowed either way', () => {
		expect(changeAllowed(at(48), 'cancel', now, 24)).toEqual({ ok: true, value: { late: false } });
		expect(changeAllowed(at(3), 'cancel', now, 24)).toEqual({ ok: true, value: { late: true } });
		expect(changeAllowed(at(3), 'reschedule', now, 0)).toEqual({ ok: true, value: { late: false } });
	});

	it('refuses a move once the session started, and any change to an ended, live or cancelled session', () => {
		expect(changeAllowed(at(-0.1), 'reschedule', now, 24)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/already started/) } });
		expect(changeAllowed({ ...at(5), status: 'live' }, 'cancel', now, 24)).toMatchObject({ ok: false, error: { code: 'conflict' } });
		expect(changeAllowed({ ...at(5), status: 'ended' }, 'reschedule', now, 24)).toMatchObject({ ok: false });
		expect(changeAllowed({ ...at(5), status: 'cancelled' }, 'cancel', now, 24)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already cancelled/) } });
	});

	it('refuses a new time in the past or the same time', () => {
		expect(rescheduleAllowed(now + 1000, now - 60_000, now)).toMatchObject({ ok: false, error: { field: 'scheduledAt', message: expect.stringMatching(/future/) } });
		expect(rescheduleAllowed(now + 1000, now + 1000, now)).toMatchObject({ ok: false, error: { field: 'scheduledAt' } });
		expect(rescheduleAllowed(now + 1000, now + 5000, now).ok).toBe(true);
	});

	it('counts a late cancellation against the contract and frees the slot of one made with notice', () => {
		expect(countsAgainstContract({ kind: 'session', status: 'cancelled', late_change: 1 })).toBe(true);
		expect(countsAgainstContract({ kind: 'session', status: 'cancelled', late_change: 0 })).toBe(false);
		expect(countsAgainstContract({ kind: 'session', status: 'scheduled', late_change: 0 })).toBe(true);
		expect(countsAgainstContract({ kind: 'introductory', status: 'ended', late_change: 0 })).toBe(false);
	});
});

describe("the summary email's times", () => {
	it("are given in the recipient's zone, the recorded copy staying in UTC", async () => {
		const { readerTimes } = await import('../../server/summary/compose.ts');
		const copy = {
			session: { startedAt: Date.UTC(2026, 6, 1, 14, 0), scheduledAt: Date.UTC(2026, 6, 1, 14, 0), endedAt: Date.UTC(2026, 6, 1, 15, 0) },
			next: { id: 'n', number: 2, scheduledAt: Date.UTC(2026, 11, 1, 14, 0), durationMinutes: 45 }
		} as unknown as Parameters<typeof readerTimes>[0];
		expect(readerTimes(copy, 'Europe/London')).toBe('In your time zone (Europe/London): the session was Wed, 1 Jul 2026, 15:00 BST. Next session: Tue, 1 Dec 2026, 14:00 GMT, 45 min.');
		expect(readerTimes(copy, 'America/New_York')).toContain('10:00 GMT-4 (New York)');
		expect(readerTimes(copy, 'America/New_York')).toContain('09:00 GMT-5 (New York)');
	});
});
