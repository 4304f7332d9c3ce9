/**
 * The courteous decline: the email a coach sends when they do not take the
 * work on. The template is a starting point in plain, kind words; the coach
 * edits it before sending (it suggests other routes, which they keep, adapt
 * or delete). Mentoring engagements get the mentoring words.
 */
import type { EngagementKind } from '../domain.ts';

export function declineTemplate(kind: EngagementKind, p: { to: string; coachName: string; title: string }): string {
	const work = kind === 'mentoring' ? 'mentoring' : 'coaching';
	const person = kind === 'mentoring' ? 'mentor' : 'coach';
	const other = kind === 'mentoring' ? 'coaching, which is more structured around a goal you set' : 'mentoring, where someone with experience of your field shares what they know';
	return [
		`Dear ${p.to || 'there'},`,
		'',
		`Thank you for asking me about ${work} for "${p.title}", and for the time you took to answer my questions.`,
		'',
		`I have thought carefully about what you wrote, and I do not think I am the right ${person} for this work at the moment. This is not a judgement of you or of what you want to achieve: ${work} works best when the fit is right, and I would rather say so now than start something that would not serve you well.`,
		'',
		'Other routes that may suit you better:',
		`- another ${person} whose experience is closer to what you describe (I am glad to suggest names);`,
		`- ${other};`,
		'- a course or workshop on the topic;',
		'- if what you are facing weighs on your health or wellbeing, your doctor or a counsellor.',
		'',
		'I wish you every success with it, and you are welcome to contact me again in future.',
		'',
		'Kind regards,',
		p.coachName
	].join('\n');
}
