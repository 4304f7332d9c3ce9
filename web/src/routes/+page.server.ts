import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) return { engagements: [], upcoming: [], sponsored: [] };
	const { engagements, sponsors } = services();
	const [list, upcoming, sponsored] = await Promise.all([
		engagements.listForUser(locals.user.id),
		engagements.upcomingForUser(locals.user.id),
		sponsors.sponsored(locals.user.id)
	]);
	return {
		sponsored,
		engagements: list.map((e) => ({
			id: e.id,
			title: e.title,
			kind: e.kind,
			role: e.role,
			people: e.members.filter((m) => m.userId !== locals.user!.id).map((m) => m.name)
		})),
		upcoming: upcoming.map((s) => ({
			id: s.id,
			engagementId: s.engagement_id,
			engagementTitle: s.engagementTitle,
			kind: s.kind,
			number: s.number,
			plannedSessions: s.plannedSessions,
			scheduledAt: s.scheduled_at,
			durationMinutes: s.duration_minutes,
			status: s.status
		}))
	};
};
