import { json } from '@sveltejs/kit';
import { services } from '$lib/server/services.ts';
import { passkeySignIn } from '$lib/server/passkey-answers.ts';
import type { RequestHandler } from './$types';

/** "Sign in with a passkey": a challenge any of this site's passkeys may sign (the authenticator must check its owner). */
export const GET: RequestHandler = async ({ url }) => json(await services().twoFactor.passkeySignInOptions(null, { origin: url.origin }));

export const POST: RequestHandler = (event) => passkeySignIn(event, false);
