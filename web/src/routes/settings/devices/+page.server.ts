import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { auth } = services();
	return { devices: await auth.devices(user.id, event.cookies.get(auth.cookieName)), reset: event.url.searchParams.has('reset') };
};

const deviceForm = z.object({ device: z.string().regex(/^[0-9a-f]{24}$/, 'Choose a device.') });

export const actions: Actions = {
	/** Signs one device out; its live call and pad connections close at once. */
	signOut: async (event) => {
		const user = requireUser(event);
		const { auth } = services();
		const form = await formObject(event.request);
		const parsed = deviceForm.safeParse(form);
		if (!parsed.success) return failWith({ code: 'invalid_input', message: 'Choose a device to sign out.' });
		const current = (await auth.devices(user.id, event.cookies.get(auth.cookieName))).find((d) => d.current)?.id === parsed.data.device;
		const result = await auth.signOutDevice(user.id, parsed.data.device, event.locals.where);
		if (!result.ok) return failWith(result.error);
		if (current) {
			const c = auth.clearedCookie();
			event.cookies.set(c.name, c.value, c.options);
			redirect(303, '/signin');
		}
		return { signedOut: true };
	},
	/** Signs out every device, this one too. */
	everywhere: async (event) => {
		const user = requireUser(event);
		const { auth } = services();
		await auth.signOutEverywhere(user.id, event.locals.where);
		const c = auth.clearedCookie();
		event.cookies.set(c.name, c.value, c.options);
		redirect(303, '/signin');
	}
};
