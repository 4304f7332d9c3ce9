import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { evaluationInput } from '$shared/closing/index.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const [closing, view] = await Promise.all([services().closing.view(event.params.id, user.id), services().engagements.getForMember(event.params.id, user.id)]);
	if (!closing || !view) notFound();
	const upcoming = view.sessions.filter((s) => s.status === 'scheduled').length;
	return { closing, engagement: { id: view.id, title: view.title, kind: view.kind }, upcoming };
};

export const actions: Actions = {
	close: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().closing.close(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { closing: result.value };
	},
	answer: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().closing.answer(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { closing: result.value };
	},
	evaluate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().closing.evaluate(event.params.id, user.id, evaluationInput(form));
		if (!result.ok) return failWith(result.error, form);
		return { evaluated: result.value };
	},
	followUp: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().closing.answerFollowUp(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { followedUp: true };
	}
};
