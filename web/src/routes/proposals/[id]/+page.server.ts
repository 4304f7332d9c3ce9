import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { declineTemplate } from '$shared/scoping/index.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const p = await services().proposals.get(event.params.id, user.id);
	if (!p) notFound();
	const to = p.prospect.name || p.sponsor.name;
	return {
		proposal: p,
		declineDefault: p.declineMessage ?? declineTemplate(p.kind, { to, coachName: user.name, title: p.title }),
		takeDefault: { title: p.title, goals: p.answers?.answers.want || p.request }
	};
};

export const actions: Actions = {
	link: async (event) => {
		const user = requireUser(event);
		const result = await services().proposals.createLink(event.params.id, user.id);
		if (!result.ok) return failWith(result.error);
		return { link: { url: `${event.url.origin}/scoping/${result.value.token}`, expiresAt: result.value.expiresAt } };
	},
	emailLink: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().proposals.emailLink(event.params.id, user.id, form.to);
		if (!result.ok) return failWith(result.error, form);
		return { emailed: result.value.to };
	},
	take: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().proposals.take(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, { ...form, step: 'take' });
		redirect(303, `/engagements/${result.value.engagementId}`);
	},
	decline: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().proposals.decline(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, { ...form, step: 'decline' });
		return { declined: result.value.emailed };
	}
};
