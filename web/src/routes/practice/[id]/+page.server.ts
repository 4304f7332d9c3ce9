import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

/** One engagement's supervision notes: its coach's, and nobody else's (404). */
export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const page = await services().practice.supervision(event.params.id, user.id);
	if (!page) notFound();
	return page;
};

export const actions: Actions = {
	add: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().practice.addNote(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { added: result.value.id };
	},
	edit: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().practice.editNote(event.params.id, form.noteId ?? '', user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { edited: result.value.id };
	},
	remove: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().practice.deleteNote(event.params.id, form.noteId ?? '', user.id);
		if (!result.ok) return failWith(result.error, form);
		return { removed: form.noteId };
	}
};
