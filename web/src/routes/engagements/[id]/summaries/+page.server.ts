import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { engagements, summaries } = services();
	const [engagement, list] = await Promise.all([engagements.getForMember(event.params.id, user.id), summaries.list(event.params.id, user.id)]);
	if (!engagement || !list) notFound();
	return {
		engagement: { id: engagement.id, title: engagement.title, plannedSessions: engagement.planned_sessions },
		summaries: list.summaries.map((s) => ({ id: s.id, number: s.number, version: s.version, versions: s.versions, startedAt: s.started_at, endedAt: s.ended_at, scheduledAt: s.scheduled_at }))
	};
};
