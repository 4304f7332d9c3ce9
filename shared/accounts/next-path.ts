/**
 * Where a page may send a person after signing in or up: only a path on this
 * same site. Browsers read `\` as `/` and drop tabs and line breaks inside
 * URLs, so `/\evil.example`, `/<tab>/evil.example` and `/\\evil.example`
 * all mean `//evil.example`, another site; anything with a backslash or a
 * control character is refused outright, and what is left must resolve to
 * this origin with the same path it was written with.
 */
const BASE = 'http://same-origin.invalid';

export function isSameOriginPath(next: string): boolean {
	if (next.length === 0 || next.length > 2000) return false;
	if (next[0] !== '/' || next[1] === '/') return false;
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
	if (/[\\\u0000-\u001f\u007f]/.test(next)) return false;
	let url: URL;
	try {
		url = new URL(next, BASE);
	} catch {
		return false;
	}
	return url.origin === BASE && url.pathname.startsWith('/') && !url.pathname.startsWith('//');
}

/** `next` when it is a same-site path, else the home page. */
export function safeNext(next: string | null | undefined): string {
	return typeof next === 'string' && isSameOriginPath(next) ? next : '/';
}
