import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().engagements.getForMember(event.params.id, user.id);
	if (!view) notFound();
	return {
		engagement: {
			id: view.id,
			title: view.title,
			kind: view.kind,
			goals: view.goals,
			plannedSessions: view.planned_sessions,
			frequency: view.frequency,
			role: view.role,
			members: view.members.map((m) => ({ userId: m.userId, name: m.name, role: m.role, ...(view.role === 'coach' ? { email: m.email } : {}) })),
			sessions: view.sessions.map((s) => ({
				id: s.id,
				number: s.number,
				scheduledAt: s.scheduled_at,
				durationMinutes: s.duration_minutes,
				status: s.status,
				endedAt: s.ended_at
			}))
		}
	};
};

export const actions: Actions = {
	invite: async (event) => {
		const user = requireUser(event);
		const result = await services().engagements.createInvite(event.params.id, user.id);
		if (!result.ok) return failWith(result.error);
		return { invite: { url: `${event.url.origin}/invite/${result.value.token}`, expiresAt: result.value.expiresAt } };
	},
	schedule: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().engagements.scheduleSession(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { scheduled: result.value.id };
	}
};
