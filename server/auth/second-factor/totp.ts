/**
 * Authenticator-app codes (RFC 6238, Lucia's design on @oslojs/otp): a
 * 160-bit key shown once as a QR code, codes checked a step either side of
 * now, and never the same step twice (a code seen over a shoulder or in a
 * phishing proxy cannot be used again).
 */
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { limits } from '../../config/index.ts';

const { totpPeriodSeconds: period, totpDigits: digits, totpWindowSteps: window } = limits.auth.twoFactor;

/** A new shared key, base32 as authenticator apps take it. */
export function newTotpKey(): string {
	const key = new Uint8Array(20);
	crypto.getRandomValues(key);
	return encodeBase32UpperCaseNoPadding(key);
}

/** The otpauth:// URI the QR code holds. */
export function totpUri(accountName: string, key: string): string {
	return createTOTPKeyURI('Confidante', accountName, decodeBase32IgnorePadding(key), period, digits);
}

export const stepAt = (nowMs: number) => Math.floor(nowMs / (period * 1000));

/** Codes as people type them: spaces and dashes dropped. */
export const normaliseCode = (code: string) => code.replace(/[\s-]/g, '');

/**
 * The step `code` belongs to, within the window around `nowMs` and after
 * `lastStep` (the last one accepted); null when it matches none of those.
 */
export function matchingStep(key: string, code: string, nowMs: number, lastStep: number): number | null {
	const typed = normaliseCode(code);
	if (!/^\d+$/.test(typed) || typed.length !== digits) return null;
	const raw = decodeBase32IgnorePadding(key);
	const now = stepAt(nowMs);
	for (let step = now - window; step <= now + window; step++) {
		if (step > lastStep && verifyHOTP(raw, BigInt(step), digits, typed)) return step;
	}
	return null;
}
