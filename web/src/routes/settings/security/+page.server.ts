import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { requireUser } from '$lib/server/guards.ts';
import type { Failure } from '$shared/result.ts';
import type { Actions, PageServerLoad } from './$types';

/** Two forms ask for the password or a code; a problem is shown beside the field of the form that was sent. */
const within = (formName: string, e: Failure): Failure => (e.field ? { ...e, field: `${formName}-${e.field}` } : e);

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { twoFactor } = services();
	const status = await twoFactor.status(user.id);
	// A set-up left halfway (or after a wrong first code) is shown again, with the same key.
	const setUp = status.totp ? null : await twoFactor.totpInProgress(user.id);
	return { status, setUp, next: event.url.searchParams.get('from') === 'engagement' };
};

export const actions: Actions = {
	/** A new key and its QR code; the app is on only once a code from it is typed. */
	start: async (event) => {
		const user = requireUser(event);
		const result = await services().twoFactor.startTotp(user.id);
		if (!result.ok) return failWith(result.error);
		return { started: true };
	},
	confirm: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().twoFactor.confirmTotp(user.id, form, event.locals.where);
		if (!result.ok) return failWith(result.error);
		return { recoveryCodes: result.value.recoveryCodes, enabled: true };
	},
	disable: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().twoFactor.disableTotp(user.id, form, event.locals.where);
		if (!result.ok) return failWith(within('disable', result.error));
		return { disabled: true };
	},
	/** Needs the password; removing the last passkey (with no app) turns two-factor sign-in off. */
	removePasskey: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().twoFactor.removePasskey(user.id, form, event.locals.where);
		if (!result.ok) return failWith(within(`passkey-${form.id ?? ''}`, result.error));
		return { removedPasskey: result.value.name };
	},
	regenerate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().twoFactor.regenerateRecoveryCodes(user.id, form, event.locals.where);
		if (!result.ok) return failWith(within('regenerate', result.error));
		return { recoveryCodes: result.value.recoveryCodes };
	}
};
