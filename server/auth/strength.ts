/**
 * Refuses passwords that are common or easy to guess, offline: zxcvbn-ts
 * with its common-password and English dictionaries, scoring what an
 * attacker would try first (the person's own name and email included). The
 * dictionaries are a few megabytes, so they load on the first check, on the
 * server only; the browser never downloads them.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { limits } from '../config/index.ts';

let factory: Promise<ZxcvbnFactory> | undefined;

async function load(): Promise<ZxcvbnFactory> {
	const [{ ZxcvbnFactory }, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
	return new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations });
}

/** null when the password is strong enough, else a message built from the library's feedback. */
export async function weakPasswordMessage(password: string, userInputs: string[] = []): Promise<string | null> {
	factory ??= load();
	const z = await factory;
	// zxcvbn's cost grows with length; past 100 characters the rest adds nothing to guessability.
	const result = await z.check(password.slice(0, 100), userInputs.flatMap((s) => [s, ...s.split(/[\s@.+_-]+/)]).filter((s) => s.length >= 3));
	if (result.score >= limits.auth.passwordMinScore) return null;
	const { warning, suggestions } = result.feedback;
	const parts = [warning ?? 'This password would be easy to guess.', ...suggestions];
	return parts.join(' ');
}
