/**
 * The rhythm's emails, built at send time from what they refer to: the
 * reminder before a session (join link, open actions, and for a coachee the
 * link to prepare), the nudge to the coach when the rhythm slips, and the
 * email to an action's owner when it falls due. Each is queued under a
 * unique (kind, subject, person), so it is sent once however often the job
 * that queues it runs. Times are in the reader's zone, with its name.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Logger } from '../log/index.ts';
import type { CoachingSessionRow, Database, EngagementRow, MailJobRow, ScheduledJobRow } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Member } from '../engagements/index.ts';
import type { CarriedAction } from '../../shared/pad/index.ts';
import { ownerLabel } from '../../shared/pad/index.ts';
import { DEFAULT_TIME_ZONE, formatWhen } from '../../shared/time.ts';
import { sessionName } from '../../shared/sessions.ts';
import { offsetsOf, parseReminderSubject } from './reminders.ts';

export interface RhythmPeople {
	members(engagementId: string): Promise<Member[]>;
	timeZones(userIds: string[]): Promise<Map<string, string>>;
	session(sessionId: string): Promise<{ session: CoachingSessionRow; engagement: EngagementRow } | null>;
	openActions(engagementId: string): Promise<CarriedAction[]>;
}

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });
const link = (origin: string | undefined, path: string) => (origin ? `${origin}${path}` : path);

function actionLines(actions: CarriedAction[], members: Member[]): string {
	if (actions.length === 0) return 'No actions are open.';
	return actions.map((a) => `- ${a.text} (${ownerLabel(a, members)}${a.due ? `, due ${a.due}` : ''})`).join('\n');
}

const inWords = (minutes: number) => (minutes % 1440 === 0 ? `${minutes / 1440} day${minutes === 1440 ? '' : 's'}` : minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : `${minutes} minutes`);

export function registerRhythmMail(mail: Pick<MailQueue, 'register'>, people: RhythmPeople, origin: string | undefined): void {
	mail.register('session_reminder', async (job: MailJobRow): Promise<Mail.Options> => {
		const [sessionId, m] = job.subject_id.split('|');
		const rec = await people.session(sessionId ?? '');
		if (!rec) throw permanent('The session this reminder is about no longer exists.');
		const { session, engagement } = rec;
		const members = await people.members(engagement.id);
		const me = members.find((p) => p.userId === job.user_id);
		if (!me) throw permanent('The recipient is no longer part of this engagement.');
		const zone = (await people.timeZones([me.userId])).get(me.userId) ?? DEFAULT_TIME_ZONE;
		const actions = await people.openActions(engagement.id);
		const name = sessionName(session, engagement.planned_sessions);
		const when = formatWhen(session.scheduled_at, zone);
		const lines = [
			`${name} of "${engagement.title}" is in ${inWords(Number(m))}: ${when}, ${session.duration_minutes} minutes.`,
			'',
			`Join: ${link(origin, `/sessions/${session.id}`)}`,
			'',
			'Open actions:',
			actionLines(actions, members)
		];
		if (me.role === 'coachee') lines.push('', `Prepare for it (what you want from the session, how your actions went, anything your coach should know): ${link(origin, `/sessions/${session.id}/prepare`)}`);
		else lines.push('', `Your preparation, with your private note: ${link(origin, `/sessions/${session.id}/prepare`)}`);
		lines.push('', `Change or switch off these reminders on the engagement page: ${link(origin, `/engagements/${engagement.id}`)}`);
		return { subject: `Reminder: ${name}, ${engagement.title}, ${when}`, text: lines.join('\n') };
	});

	mail.register('rhythm_nudge', async (job) => {
		const [engagementId] = job.subject_id.split('|');
		const members = await people.members(engagementId ?? '');
		const coach = members.find((p) => p.userId === job.user_id && p.role === 'coach');
		if (!coach) throw permanent('The recipient is no longer the coach of this engagement.');
		return {
			subject: 'Nothing booked: time to schedule the next session',
			text: [
				'The gap since your last session already exceeds the frequency you agreed in the contract, and no session is booked.',
				'',
				`Schedule the next one (or the rest of the series): ${link(origin, `/engagements/${engagementId}`)}`
			].join('\n')
		};
	});

	mail.register('action_due', async (job) => {
		const [engagementId, actionId] = job.subject_id.split('|');
		const members = await people.members(engagementId ?? '');
		if (!members.some((p) => p.userId === job.user_id)) throw permanent('The recipient is no longer part of this engagement.');
		const action = (await people.openActions(engagementId ?? '')).find((a) => a.id === actionId);
		if (!action) throw permanent('The action is no longer open.');
		return {
			subject: `Action due: ${action.text.slice(0, 80)}`,
			text: [
				`An action you agreed in session ${action.fromSessionNumber} is due ${action.due}:`,
				'',
				`  ${action.text}`,
				'',
				`Update its status or add a comment on the engagement page: ${link(origin, `/engagements/${engagementId}`)}`
			].join('\n')
		};
	});
}

/** The reminder job: queue the email if the session is still on and the person still wants this reminder. */
export async function remind(job: ScheduledJobRow, now: number, ctx: { db: Kysely<Database>; mail: Pick<MailQueue, 'enqueue' | 'kick'>; people: RhythmPeople; log: Logger }): Promise<void> {
	const s = parseReminderSubject(job.subject);
	if (!s) return;
	const rec = await ctx.people.session(s.sessionId);
	if (!rec || rec.session.status !== 'scheduled' || rec.session.scheduled_at < now) return;
	const wanted = (await offsetsOf(ctx.db, [s.userId])).get(s.userId) ?? [];
	if (!wanted.includes(s.minutes)) return;
	const me = (await ctx.people.members(rec.engagement.id)).find((m) => m.userId === s.userId);
	if (!me) return;
	await ctx.mail.enqueue(ctx.db, [{ kind: 'session_reminder', subjectId: `${s.sessionId}|${s.minutes}`, userId: me.userId, toName: me.name, toAddress: me.email }]);
	ctx.mail.kick();
	ctx.log.info({ session: s.sessionId, user: s.userId, minutes: s.minutes }, 'reminder queued');
}
