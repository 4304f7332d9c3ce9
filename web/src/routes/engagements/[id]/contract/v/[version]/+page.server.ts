import { services } from '$lib/server/services.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { contractVersionView } from '$lib/server/contract-view.ts';
import { diffContracts } from '$shared/contract/index.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const number = Number(event.params.version);
	if (!Number.isInteger(number) || number < 1) notFound();
	const { contracts, engagements } = services();
	const [view, versions] = await Promise.all([engagements.getForMember(event.params.id, user.id), contracts.versions(event.params.id, user.id)]);
	if (!view || !versions) notFound();
	const visible = view.role === 'coach' ? versions : versions.filter((v) => v.status !== 'draft');
	const here = visible.find((v) => v.version === number);
	if (!here) notFound();
	// Compared with the version before it that people saw (drafts never count).
	const before = visible.find((v) => v.version < number && v.status !== 'draft') ?? null;
	const names = new Map(view.members.map((m) => [m.userId, m.name]));
	return {
		engagement: { id: view.id, title: view.title, kind: view.kind },
		contract: contractVersionView(here, names),
		previous: before?.version ?? null,
		changes: before ? diffContracts(before.body, here.body) : null
	};
};
