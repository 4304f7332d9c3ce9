import { error, fail, isHttpError } from '@sveltejs/kit';
import type { Failure } from '$shared/result.ts';
import { httpStatus } from '$shared/result.ts';

/** Form data as a plain object of strings. */
export async function formObject(request: Request): Promise<Record<string, string>> {
	let data: FormData;
	try {
		data = await request.formData();
	} catch (e) {
		if (isHttpError(e)) throw e; // e.g. 413 from the body size limit
		error(400, 'The form could not be read; please submit it again.');
	}
	const out: Record<string, string> = {};
	for (const [k, v] of data) if (typeof v === 'string') out[k] = v;
	return out;
}

/** Form data as a plain object; the fields in `lists` (checkbox groups) keep every value as an array. */
export async function formWithLists(request: Request, lists: readonly string[]): Promise<{ form: Record<string, string | string[]>; values: Record<string, string> }> {
	let data: FormData;
	try {
		data = await request.formData();
	} catch (e) {
		if (isHttpError(e)) throw e;
		error(400, 'The form could not be read; please submit it again.');
	}
	const form: Record<string, string | string[]> = {};
	const values: Record<string, string> = {};
	for (const [k, v] of data) {
		if (typeof v !== 'string') continue;
		if (lists.includes(k)) form[k] = [...((form[k] as string[] | undefined) ?? []), v];
		else form[k] = v;
		values[k] = lists.includes(k) ? (form[k] as string[]).join('\n') : v;
	}
	return { form, values };
}

/** A failed action: status from the error code, message shown beside its field. */
export function failWith(error: Failure, values: Record<string, string> = {}) {
	const { password: _omit, ...safe } = values;
	return fail(httpStatus[error.code], { error, values: safe });
}
