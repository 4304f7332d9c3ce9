import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	// Members, and the sponsor of a three-way meeting (roomAccess); a sponsor never gets the contract's full text here.
	const access = await services().engagements.roomAccess(event.params.id, user.id);
	if (!access) notFound();
	const { session, engagement, role, members } = access;
	// A cancelled session has no room: its engagement page shows it struck through, with who cancelled it and why.
	if (session.status === 'cancelled') redirect(303, `/engagements/${engagement.id}`);
	// The coach requires two-factor sign-in: the engagement page says so and links to setting it up.
	if (access.twoFactorMissing) redirect(303, `/engagements/${engagement.id}?twofactor=required`);
	const contract = role === 'sponsor' ? null : await services().contracts.inForce(engagement.id);
	// The coachee's preparation is the coach's agenda; nobody else gets it.
	const agenda = role === 'coach' ? await services().rhythm.agenda(session.id, user.id) : null;
	return {
		agenda,
		contract: contract && { version: contract.version, body: contract.body },
		me: { id: user.id, name: user.name, role },
		session: {
			id: session.id,
			kind: session.kind,
			number: session.number,
			status: session.status,
			scheduledAt: session.scheduled_at,
			durationMinutes: session.duration_minutes,
			startedAt: session.started_at,
			endedAt: session.ended_at
		},
		engagement: { id: engagement.id, title: engagement.title, kind: engagement.kind, plannedSessions: engagement.planned_sessions },
		members: members.map((m) => ({ userId: m.userId, name: m.name, role: m.role }))
	};
};
