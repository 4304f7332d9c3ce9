/**
 * Reading what a coach typed into the contract form. A draft may still have
 * blanks (a goal's measure not agreed yet) and is saved with them, so work is
 * never lost; everything else must already be right (lengths, numbers, dates
 * that exist). Sending for review needs the whole contract valid.
 */
import type { z } from 'zod';
import { contractBody, contractProblems, type ContractBody } from '../../shared/contract/index.ts';
import { fail, type Failure } from '../../shared/result.ts';

export type DraftReading = { ok: true; body: ContractBody; problems: Record<string, string> } | { ok: false; error: Failure };

const MAX_DRAFT_BYTES = 64 * 1024;

function valueAt(input: unknown, path: PropertyKey[]): unknown {
	let v: unknown = input;
	for (const k of path) {
		if (v === null || typeof v !== 'object') return undefined;
		v = (v as Record<PropertyKey, unknown>)[k];
	}
	return v;
}

/** An issue that only says "not written yet": a blank text, or an empty list. */
function isBlank(input: unknown, issue: z.core.$ZodIssue): boolean {
	const v = valueAt(input, issue.path);
	if (typeof v === 'string') return v.trim() === '';
	return Array.isArray(v) && v.length === 0 && issue.code === 'too_small';
}

export function readDraft(input: unknown): DraftReading {
	if (JSON.stringify(input ?? null).length > MAX_DRAFT_BYTES) return fail('too_large', 'This contract is too long to save; shorten some sections.');
	const parsed = contractBody.safeParse(input);
	if (parsed.success) return { ok: true, body: parsed.data, problems: {} };
	const problems = contractProblems(parsed.error);
	const real = parsed.error.issues.filter((i) => !isBlank(input, i));
	if (real.length > 0) {
		const fields = contractProblems({ issues: real } as z.ZodError);
		const [field, message] = Object.entries(fields)[0]!;
		return { ok: false, error: { code: 'invalid_input', message, field, fields } };
	}
	// Only blanks are missing: the input has the contract's shape, so keep it as typed (numbers as numbers).
	const body = structuredClone(input) as ContractBody;
	for (const k of ['sessions', 'sessionMinutes', 'noticeHours'] as const) body.plan[k] = Number(body.plan[k]);
	return { ok: true, body, problems };
}

/** For sending: the whole contract must be valid. */
export function readComplete(body: ContractBody): { ok: true; body: ContractBody } | { ok: false; error: Failure } {
	const parsed = contractBody.safeParse(body);
	if (parsed.success) return { ok: true, body: parsed.data };
	const fields = contractProblems(parsed.error);
	const [field, message] = Object.entries(fields)[0]!;
	return { ok: false, error: { code: 'invalid_input', message: `The contract is not complete yet: ${message}`, field, fields } };
}
