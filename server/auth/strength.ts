/**
 * Refuses passwords that are common or easy to guess, offline: zxcvbn-ts
 * with its common-password and English dictionaries, scoring what an
 * attacker would try first (the person's own name and email included). It
 * runs in a worker thread (strength-worker.ts): the dictionaries take
 * seconds to load and a long password hundreds of milliseconds to score,
 * neither of which may stall the server. The browser never downloads them.
 */
import { Worker } from 'node:worker_threads';
import { limits } from '../config/index.ts';

interface Answer {
	id: number;
	score?: number;
	warning?: string | null;
	suggestions?: string[];
	error?: string;
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (a: Answer) => void>();

function start(): Worker {
	if (worker) return worker;
	const w = new Worker(new URL('./strength-worker.ts', import.meta.url));
	w.unref();
	w.on('message', (a: Answer) => {
		waiting.get(a.id)?.({ ...a });
		waiting.delete(a.id);
	});
	const fail = (why: string) => {
		if (worker === w) worker = null;
		for (const [id, answer] of waiting) answer({ id, error: why });
		waiting.clear();
	};
	w.on('error', (err) => fail(String(err)));
	w.on('exit', () => fail('the strength checker stopped'));
	worker = w;
	return w;
}

/** Starts the checker and loads its dictionaries ahead of the first sign-up. */
export function warmUpStrengthCheck(): void {
	start();
}

function check(password: string, inputs: string[]): Promise<Answer> {
	const w = start();
	const id = ++nextId;
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			waiting.delete(id);
			resolve({ id, error: 'timed out' });
		}, limits.auth.strengthCheckTimeoutMs);
		waiting.set(id, (a) => {
			clearTimeout(timer);
			resolve(a);
		});
		w.postMessage({ id, password, inputs });
	});
}

/** null when the password is strong enough, else a message built from the library's feedback. */
export async function weakPasswordMessage(password: string, userInputs: string[] = []): Promise<string | null> {
	const inputs = userInputs.flatMap((s) => [s, ...s.split(/[\s@.+_-]+/)]).filter((s) => s.length >= 3);
	// Scoring cost grows with length; a prefix this long that is hard to guess keeps the whole hard to guess.
	const answer = await check(password.slice(0, limits.auth.strengthCheckedChars), inputs);
	// Fail closed: a password nobody could check is not accepted.
	if (answer.score === undefined) return 'The password could not be checked just now; please try again.';
	if (answer.score >= limits.auth.passwordMinScore) return null;
	return [answer.warning || 'This password would be easy to guess.', ...(answer.suggestions ?? [])].join(' ');
}
