import { services } from '$lib/server/services.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) return { engagements: [], upcoming: [], sponsored: [], proposals: [] };
	const { engagements, sponsors, proposals, closing } = services();
	const [list, upcoming, sponsored, proposed] = await Promise.all([
		engagements.listForUser(locals.user.id),
		engagements.upcomingForUser(locals.user.id),
		sponsors.sponsored(locals.user.id),
		proposals.listForCoach(locals.user.id)
	]);
	const states = await closing.statesFor(list.map((e) => e.id));
	return {
		sponsored,
		proposals: proposed.map((p) => ({ id: p.id, title: p.title, kind: p.kind, status: p.status, createdAt: p.createdAt, engagementId: p.engagementId, who: p.prospect.name || p.sponsor.name })),
		engagements: list.map((e) => ({
			id: e.id,
			title: e.title,
			kind: e.kind,
			role: e.role,
			closing: states[e.id] ?? 'open',
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
