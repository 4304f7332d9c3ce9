/**
 * The scheme's emails, one per step: invited, request received (to the
 * coordinators, and a receipt to the requester), match proposed (to both),
 * declined (to the coordinators, with the reason), placed (to both and the
 * coordinators, with the introductory meeting), and the feedback form after
 * the placement. Each is queued in the transaction of its step and composed
 * at send time from the rows; none ever carries anything said in a session.
 */
import type Mail from 'nodemailer/lib/mailer';
import type { Kysely } from 'kysely';
import type { Database, MailJobRow, SchemeMailKind } from '../store/index.ts';
import type { MailQueue } from '../mail/index.ts';
import { formatWhen } from '../../shared/time.ts';
import { frequencyWords } from '../../shared/contract/plan.ts';
import { schemeRow, volunteerRow } from './setup.ts';
import { requestRow } from './requests.ts';
import { matchRow } from './matches.ts';
import type { Person } from './rows.ts';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export interface SchemeMailDeps {
	db: Kysely<Database>;
	origin: string | undefined;
	people(ids: readonly string[]): Promise<Person[]>;
	/** The engagement's introductory meeting, if one is booked. */
	introOf(engagementId: string): Promise<number | null>;
}

export function registerSchemeMail(mail: Pick<MailQueue, 'register'>, deps: SchemeMailDeps): void {
	const { db } = deps;
	const link = (path: string) => (deps.origin ? `\n\nOpen it: ${deps.origin}${path}\n` : `\n\nOpen ${path} in Confidante.\n`);
	const nameOf = async (id: string) => (await deps.people([id]))[0]?.name ?? 'Someone';

	const compose: Record<SchemeMailKind, (job: MailJobRow) => Promise<Mail.Options>> = {
		async scheme_invite(job) {
			const invite = await db.selectFrom('scheme_invites').selectAll().where('id', '=', job.subject_id).executeTakeFirst();
			const scheme = invite && (await schemeRow(db, invite.scheme_id));
			if (!invite || !scheme) throw permanent('The invitation no longer exists.');
			const as = invite.role === 'coordinator' ? 'a coordinator' : 'a volunteer coach or mentor';
			return {
				subject: `You are invited to ${scheme.name}`,
				text: `${await nameOf(invite.created_by)} invites you to join "${scheme.name}" as ${as}.\n\n${scheme.purpose}\n\nSign in (or create an account) with ${invite.email} to accept; the link works once.${link(`/scheme-invite/${invite.id}`)}`
			};
		},
		async scheme_request(job) {
			const r = await requestRow(db, job.subject_id);
			const scheme = r && (await schemeRow(db, r.scheme_id));
			if (!r || !scheme) throw permanent('The request no longer exists.');
			return { subject: `New request in ${scheme.name}`, text: `${await nameOf(r.user_id)} asks for ${r.kind}.\n\nWhat they want to develop: ${r.develop}${link(`/schemes/${scheme.id}/requests/${r.id}`)}` };
		},
		async scheme_request_ack(job) {
			const r = await requestRow(db, job.subject_id);
			const scheme = r && (await schemeRow(db, r.scheme_id));
			if (!r || !scheme) throw permanent('The request no longer exists.');
			return {
				subject: `We have your request: ${scheme.name}`,
				text: `Thank you. A coordinator of "${scheme.name}" will look for a ${r.kind === 'mentoring' ? 'mentor' : 'coach'} for you and may get in touch first.\n\nThe scheme expects ${scheme.expected_sessions} sessions of ${scheme.session_minutes} minutes, ${frequencyWords(scheme.frequency)}.${link(`/schemes/${scheme.id}/ask`)}`
			};
		},
		async scheme_proposal(job) {
			const m = await matchRow(db, job.subject_id);
			const scheme = m && (await schemeRow(db, m.scheme_id));
			if (!m || !scheme) throw permanent('The match no longer exists.');
			if (m.state !== 'proposed') throw permanent('This match is no longer waiting for answers.');
			const other = await nameOf(job.user_id === m.volunteer_id ? m.requester_id : m.volunteer_id);
			return {
				subject: `Proposed match in ${scheme.name}: ${other}`,
				text: `The coordinator of "${scheme.name}" proposes you work with ${other}. Please accept or decline (you can say why).${link(`/matches/${m.id}`)}`
			};
		},
		async scheme_declined(job) {
			const m = await matchRow(db, job.subject_id);
			const scheme = m && (await schemeRow(db, m.scheme_id));
			if (!m || !scheme) throw permanent('The match no longer exists.');
			const [by, reason] = m.volunteer_answer === 'decline' ? [m.volunteer_id, m.volunteer_reason] : [m.requester_id, m.requester_reason];
			return {
				subject: `Match declined in ${scheme.name}`,
				text: `${await nameOf(by)} declined the proposed match${reason ? `: "${reason}"` : ' without giving a reason'}. The request is back in the queue.${link(`/schemes/${scheme.id}/requests/${m.request_id}`)}`
			};
		},
		async scheme_placed(job) {
			const m = await matchRow(db, job.subject_id);
			const scheme = m && (await schemeRow(db, m.scheme_id));
			if (!m || !scheme || !m.engagement_id) throw permanent('The placement no longer exists.');
			const [coach, coachee] = await Promise.all([nameOf(m.volunteer_id), nameOf(m.requester_id)]);
			const party = job.user_id === m.volunteer_id || job.user_id === m.requester_id;
			if (!party) return { subject: `Placed in ${scheme.name}: ${coachee} with ${coach}`, text: `Both accepted; their engagement has been created.${link(`/schemes/${scheme.id}`)}` };
			const intro = await deps.introOf(m.engagement_id);
			const zone = job.user_id === m.volunteer_id ? (await volunteerRow(db, m.scheme_id, m.volunteer_id))?.time_zone : (await requestRow(db, m.request_id))?.time_zone;
			const when = intro ? `\n\nAn introductory meeting is suggested for ${formatWhen(intro, zone ?? 'UTC')}; it is on your dashboard. If it does not suit you both, agree another time together.` : '';
			return { subject: `Placed: ${coachee} with ${coach} (${scheme.name})`, text: `You have both accepted. Your engagement is ready, with the scheme's plan of ${scheme.expected_sessions} sessions ${frequencyWords(scheme.frequency)}.${when}${link(`/engagements/${m.engagement_id}`)}` };
		},
		async scheme_feedback(job) {
			const m = await matchRow(db, job.subject_id);
			const scheme = m && (await schemeRow(db, m.scheme_id));
			if (!m || !scheme) throw permanent('The placement no longer exists.');
			return {
				subject: `How did it go? Feedback for ${scheme.name}`,
				text: `The coordinator has closed your placement. Three short questions help the scheme arrange better matches in future; only totals are shown to the coordinator.${link(`/matches/${m.id}`)}`
			};
		}
	};
	for (const [kind, fn] of Object.entries(compose)) mail.register(kind as SchemeMailKind, fn);
}
