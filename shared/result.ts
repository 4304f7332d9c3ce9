/**
 * Failures a person can act on travel as values: a stable code for programs,
 * a sentence for people, and the form field it concerns when there is one.
 * HTTP routes map `status`; socket acks carry the same shape.
 */
export const ERROR_CODES = [
	'invalid_input',
	'unauthenticated',
	'forbidden',
	'not_found',
	'conflict',
	'gone',
	'rate_limited',
	'too_large',
	'unavailable',
	'internal',
	/** A socket event name the protocol does not have. */
	'unknown_event',
	/** The page was built for another protocol version; reloading it fixes this. */
	'outdated_client',
	/** The engagement's coach requires two-factor sign-in and this person has not set it up. */
	'two_factor_required'
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface Failure {
	code: ErrorCode;
	message: string;
	field?: string;
	/** Every field's first problem, so a form can show them all at once. */
	fields?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, field?: string): { ok: false; error: Failure } => ({
	ok: false,
	error: field === undefined ? { code, message } : { code, message, field }
});

export const httpStatus: Record<ErrorCode, number> = {
	invalid_input: 400,
	unauthenticated: 401,
	forbidden: 403,
	not_found: 404,
	conflict: 409,
	gone: 410,
	rate_limited: 429,
	too_large: 413,
	unavailable: 503,
	internal: 500,
	unknown_event: 404,
	outdated_client: 426,
	two_factor_required: 403
};
