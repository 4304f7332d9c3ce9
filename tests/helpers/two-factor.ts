/**
 * Setting up two-factor sign-in as a person does (the settings page, the key
 * it shows) and computing the codes an authenticator app would show.
 */
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { Visitor } from './http.ts';

const PERIOD_MS = 30_000;

/** The code an app shows for `key` at `step` (30-second steps since the epoch); now by default. */
export const totpCode = (key: string, step = Math.floor(Date.now() / PERIOD_MS)) => generateHOTP(decodeBase32IgnorePadding(key), BigInt(step), 6);
export const currentStep = () => Math.floor(Date.now() / PERIOD_MS);

/** Turns on an authenticator app from /settings/security; returns the key and the recovery codes shown. */
export async function setUpTotp(v: Visitor): Promise<{ key: string; step: number; recoveryCodes: string[] }> {
	const started = await v.action('/settings/security?/start');
	if (started.type !== 'success') throw new Error(`starting set-up failed: ${JSON.stringify(started)}`);
	const page = await (await v.get('/settings/security')).text();
	const key = /data-testid="totp-key">([A-Z2-7]+)</.exec(page)?.[1];
	if (!key) throw new Error('the set-up page shows no key');
	const step = currentStep();
	const done = await v.action('/settings/security?/confirm', { code: totpCode(key, step) });
	if (done.type !== 'success') throw new Error(`confirming set-up failed: ${JSON.stringify(done)}`);
	return { key, step, recoveryCodes: done.data.recoveryCodes as string[] };
}
