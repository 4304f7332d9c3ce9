import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { passkeySignIn, refusal } from '$lib/server/passkey-answers.ts';
import type { RequestHandler } from './$types';

/** The pending sign-in's second factor with one of that person's passkeys. */
export const GET: RequestHandler = async ({ url, cookies }) => {
	const { auth, twoFactor } = services();
	const options = await twoFactor.passkeySignInOptions(cookies.get(auth.pendingCookieName) ?? '', { origin: url.origin });
	return options ? json(options) : refusal({ code: 'gone', message: 'This sign-in took too long. Sign in again with your password.' });
};

export const POST: RequestHandler = (event) => passkeySignIn(event, true);
