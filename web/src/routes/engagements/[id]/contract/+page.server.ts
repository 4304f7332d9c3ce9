import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { contractVersionView } from '$lib/server/contract-view.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { contracts, engagements } = services();
	const [view, versions] = await Promise.all([engagements.getForMember(event.params.id, user.id), contracts.versions(event.params.id, user.id)]);
	if (!view || !versions) notFound();
	const names = new Map(view.members.map((m) => [m.userId, m.name]));
	// A draft is the coach's work in progress: nobody else sees it until it is sent.
	const visible = view.role === 'coach' ? versions : versions.filter((v) => v.status !== 'draft');
	const inForce = visible.find((v) => v.status === 'in_force') ?? null;
	const waiting = visible.find((v) => v.status === 'sent') ?? null;
	return {
		engagement: { id: view.id, title: view.title, kind: view.kind, role: view.role },
		me: { id: user.id, name: user.name },
		inForce: inForce && contractVersionView(inForce, names),
		waiting: waiting && contractVersionView(waiting, names),
		draft: view.role === 'coach' ? (visible.find((v) => v.status === 'draft')?.version ?? null) : null,
		versions: visible.map((v) => ({ version: v.version, status: v.status, sentAt: v.sentAt, inForceAt: v.inForceAt, supersededAt: v.supersededAt }))
	};
};

export const actions: Actions = {
	accept: async (event) => {
		const user = requireUser(event);
		const data = await event.request.formData();
		const values = { typedName: String(data.get('typedName') ?? ''), version: String(data.get('version') ?? '') };
		const version = Number(values.version);
		if (!Number.isInteger(version) || version < 1) notFound();
		const result = await services().contracts.accept(event.params.id, version, user.id, { typedName: values.typedName, ticked: data.getAll('ticked').map(String) });
		if (!result.ok) return failWith(result.error, values);
		return { accepted: { version, status: result.value.status } };
	}
};
