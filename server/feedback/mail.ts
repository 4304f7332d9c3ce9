/**
 * The one feedback reminder, built when it is sent: which session, the link
 * to its summary page (where the questions are), and that it is the only
 * reminder. A recipient who is no longer in the engagement gets nothing.
 */
import type { MailQueue } from '../mail/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { sessionName } from '../../shared/sessions.ts';
import { feedbackAsk } from '../../shared/feedback/index.ts';

const permanent = (message: string) => Object.assign(new Error(message), { code: 'EMESSAGE' });

export function registerFeedbackMail(mail: Pick<MailQueue, 'register'>, engagements: Pick<Engagements, 'membership'>, origin: string | undefined): void {
	mail.register('feedback_reminder', async (job) => {
		const m = await engagements.membership(job.user_id, { sessionId: job.subject_id });
		if (!m?.session) throw permanent('The recipient is no longer part of this engagement.');
		const name = sessionName(m.session, m.engagement.planned_sessions);
		const role = m.role === 'coach' ? 'coach' : 'coachee';
		const link = `${origin ?? ''}/sessions/${m.session.id}/summary#feedback`;
		const question =
			role === 'coach'
				? 'a private reflection on the session (only you will read it) and, if you like, a note to your coachee'
				: 'how useful the session was, what helped and what could be better (your coach reads it)';
		return {
			subject: `${feedbackAsk(role)}: ${name}, ${m.engagement.title}`,
			text: [
				`${name} of "${m.engagement.title}" has ended. When you have a moment: ${question}.`,
				'',
				`${feedbackAsk(role)}: ${link}`,
				'',
				'It is optional, and this is the only reminder. Choose "Not this time" on the page if you would rather not.'
			].join('\n')
		};
	});
}
