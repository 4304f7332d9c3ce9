import { redirect } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import { knownTimeZones } from '$shared/time.ts';
import { DELETE_PHRASE } from '$shared/yourdata/index.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return { timeZone: user.timeZone, zones: knownTimeZones(), feed: await services().calendar.feedState(user.id), deletePhrase: DELETE_PHRASE };
};

export const actions: Actions = {
	timeZone: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().auth.setTimeZone(user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { savedZone: result.value.timeZone };
	},
	/** A new secret address; the old one, if any, stops working at once. Shown once: only its hash is kept. */
	createFeed: async (event) => {
		const user = requireUser(event);
		const { token } = await services().calendar.createFeed(user.id);
		return { feedUrl: `${event.url.origin}/calendar/${token}.ics` };
	},
	revokeFeed: async (event) => {
		const user = requireUser(event);
		await services().calendar.revokeFeed(user.id);
		return { revoked: true };
	},
	/** With the password and the typed phrase; every device is signed out, then the account's data goes. */
	deleteAccount: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().yourData.deleteAccount(user.id, form, event.locals.where);
		if (!result.ok) return failWith(result.error, { confirm: form.confirm ?? '' });
		const c = services().auth.clearedCookie();
		event.cookies.set(c.name, c.value, c.options);
		redirect(303, '/signin?deleted=1');
	}
};
