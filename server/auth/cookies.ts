/**
 * The session cookie. httpOnly so page scripts never see it, SameSite=Lax so
 * other sites cannot ride it on posts, and over https the `__Host-` prefix
 * pins it to this exact origin.
 */
export interface SessionCookie {
	name: string;
	value: string;
	options: { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean; expires?: Date; maxAge?: number };
}

export function sessionCookieName(secure: boolean): string {
	return secure ? '__Host-confidante_session' : 'confidante_session';
}

export function sessionCookie(token: string, expiresAt: number, secure: boolean): SessionCookie {
	return {
		name: sessionCookieName(secure),
		value: token,
		options: { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: new Date(expiresAt) }
	};
}

export function clearedSessionCookie(secure: boolean): SessionCookie {
	return {
		name: sessionCookieName(secure),
		value: '',
		options: { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 }
	};
}

/** Reads the token from a raw Cookie header (socket handshakes have no cookie helper). */
export function readSessionCookie(header: string | undefined, secure: boolean): string | undefined {
	if (!header) return undefined;
	const name = sessionCookieName(secure);
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
	}
	return undefined;
}

/** The half-finished sign-in (password right, second factor awaited): its own cookie, only sent to /signin pages. */
export function pendingCookieName(secure: boolean): string {
	return secure ? '__Secure-confidante_pending' : 'confidante_pending';
}

export function pendingCookie(token: string, expiresAt: number, secure: boolean): SessionCookie {
	return { name: pendingCookieName(secure), value: token, options: { path: '/signin', httpOnly: true, sameSite: 'lax', secure, expires: new Date(expiresAt) } };
}

export function clearedPendingCookie(secure: boolean): SessionCookie {
	return { name: pendingCookieName(secure), value: '', options: { path: '/signin', httpOnly: true, sameSite: 'lax', secure, maxAge: 0 } };
}
