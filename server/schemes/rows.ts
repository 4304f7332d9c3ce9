/** Small helpers the schemes feature shares: JSON list columns, refusals that roll a transaction back, people. */
import type { Failure, Result } from '../../shared/result.ts';
import { fail } from '../../shared/result.ts';

export const list = (json: string): string[] => {
	try {
		const v: unknown = JSON.parse(json);
		return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
	} catch {
		return [];
	}
};

/** Thrown inside a transaction to roll it back and answer with `failure`. */
export class Refusal extends Error {
	readonly failure: Failure;
	constructor(failure: { ok: false; error: Failure }) {
		super(failure.error.message);
		this.failure = failure.error;
	}
}

/** Runs `work`; a Refusal thrown inside becomes its failure (after the transaction rolled back). */
export async function refusing<T>(work: () => Promise<Result<T>>): Promise<Result<T>> {
	try {
		return await work();
	} catch (e) {
		if (e instanceof Refusal) return { ok: false, error: e.failure };
		throw e;
	}
}

export const refuse = (...args: Parameters<typeof fail>): never => {
	throw new Refusal(fail(...args));
};

export interface Person {
	id: string;
	name: string;
	email: string;
}

export const NO_SCHEME = 'No such scheme.';
export const NO_REQUEST = 'No such request.';
export const NO_MATCH = 'No such match.';
