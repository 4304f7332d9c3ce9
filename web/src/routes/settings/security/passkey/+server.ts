import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { jsonBody, refusal } from '$lib/server/passkey-answers.ts';
import type { RequestHandler } from './$types';

const signedOut = () => refusal({ code: 'unauthenticated', message: 'Sign in again to add a passkey.' });

/** Options for adding a passkey to the signed-in person's account (a fresh, single-use challenge). */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.user) return signedOut();
	return json(await services().twoFactor.passkeyRegistrationOptions(locals.user.id, { origin: url.origin }));
};

export const POST: RequestHandler = async ({ locals, url, request }) => {
	if (!locals.user) return signedOut();
	const result = await services().twoFactor.addPasskey(locals.user.id, await jsonBody(request), locals.where, { origin: url.origin });
	return result.ok ? json(result.value) : refusal(result.error);
};
