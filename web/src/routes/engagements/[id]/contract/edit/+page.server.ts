import { error, redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { contractBody, contractFromForm, contractProblems, nextGoalId, type ContractBody } from '$shared/contract/index.ts';
import type { Failure } from '$shared/result.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const today = () => new Date().toISOString().slice(0, 10);

function refuse(e: Failure): never {
	if (e.code === 'not_found') notFound();
	error(e.code === 'forbidden' ? 403 : 409, e.message);
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { contracts, engagements } = services();
	const view = await engagements.getForMember(event.params.id, user.id);
	if (!view) notFound();
	const draft = await contracts.openDraft(event.params.id, user.id, today());
	if (!draft.ok) refuse(draft.error);
	const check = contractBody.safeParse(draft.value.body);
	return {
		engagement: { id: view.id, title: view.title, kind: view.kind, hasCoachee: view.members.some((m) => m.role === 'coachee') },
		draft: { version: draft.value.version, body: draft.value.body, updatedAt: draft.value.updatedAt },
		problems: check.success ? {} : contractProblems(check.error)
	};
};

async function posted(event: RequestEvent) {
	const data = await event.request.formData();
	const values: Record<string, string> = {};
	for (const [k, v] of data) if (typeof v === 'string') values[k] = v;
	return values;
}

async function save(event: RequestEvent, change?: (body: ContractBody) => void) {
	const user = requireUser(event);
	const values = await posted(event);
	const body = contractFromForm(values) as ContractBody;
	change?.(body);
	const result = await services().contracts.saveDraft(event.params.id, user.id, body);
	return { user, values, result };
}

export const actions: Actions = {
	save: async (event) => {
		const { values, result } = await save(event);
		if (!result.ok) return failWith(result.error, values);
		return { saved: Date.now(), problems: result.value.problems };
	},
	addGoal: async (event) => {
		const { values, result } = await save(event, (b) => {
			b.goals.push({ id: nextGoalId(b), statement: '', measure: '', whyItMatters: '', targetDate: b.plan.endDate });
		});
		if (!result.ok) return failWith(result.error, values);
		return { saved: Date.now(), problems: result.value.problems };
	},
	removeGoal: async (event) => {
		const { values, result } = await save(event, (b) => {
			b.goals = b.goals.filter((g) => g.id !== values.remove);
		});
		if (!result.ok) return failWith(result.error, values);
		return { saved: Date.now(), problems: result.value.problems };
	},
	send: async (event) => {
		const { user, values, result } = await save(event);
		if (!result.ok) return failWith(result.error, values);
		const sent = await services().contracts.send(event.params.id, user.id);
		if (!sent.ok) return failWith(sent.error, values);
		redirect(303, `/engagements/${event.params.id}/contract`);
	}
};
