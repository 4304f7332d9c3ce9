import { error } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const r = await services().rhythm.preparation(event.params.id, user.id);
	if (!r.ok) error(404, r.error.message);
	return { prep: r.value };
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const data = await event.request.formData();
		const text = (k: string) => String(data.get(k) ?? '');
		// Each open action posts its id, status and comment under the same index.
		const ids = data.getAll('actionId').map(String);
		const statuses = data.getAll('status').map(String);
		const comments = data.getAll('comment').map(String);
		const input = {
			want: text('want'),
			forCoach: text('forCoach'),
			privateNote: text('privateNote'),
			actions: ids.map((actionId, i) => ({ actionId, status: statuses[i] ?? 'open', comment: comments[i] ?? '' }))
		};
		const r = await services().rhythm.prepare(event.params.id, user.id, input);
		if (!r.ok) return failWith(r.error);
		return { saved: true };
	}
};
