/**
 * Builds the narrow `WebServices` the SvelteKit app receives: each method the
 * routes use, bound to its feature, and nothing else reachable.
 */
import { clearedSessionCookie, sessionCookie, sessionCookieName } from './auth/index.ts';
import { clearedPendingCookie, pendingCookie, pendingCookieName } from './auth/cookies.ts';
import { clientAddress } from './http/client-address.ts';
import { readCorrectionForm } from './summary/index.ts';
import { webMethods, type Services, type WebServices } from './services.ts';

/** A new object holding only `keys` of `source`, methods bound to it. */
function only<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
	const out = {} as Pick<T, K>;
	for (const k of keys) {
		const v = source[k];
		out[k] = (typeof v === 'function' ? v.bind(source) : v) as T[K];
	}
	return out;
}

export function webServices(s: Pick<Services, 'config' | 'log' | 'auth' | 'engagements' | 'summaries' | 'contracts' | 'sponsors' | 'referrals' | 'calendar' | 'proposals' | 'mail' | 'rhythm' | 'schemes' | 'feedback' | 'progress' | 'practice' | 'closing' | 'callPrivacy' | 'yourData'>): WebServices {
	const secure = s.config.secureCookies;
	return {
		log: s.log,
		auth: {
			...only(s.auth, webMethods.auth),
			addressOf: (req) => clientAddress(req, s.config.clientAddress),
			cookieName: sessionCookieName(secure),
			cookieFor: (token, expiresAt) => sessionCookie(token, expiresAt, secure),
			clearedCookie: () => clearedSessionCookie(secure),
			pendingCookieName: pendingCookieName(secure),
			pendingCookieFor: (token, expiresAt) => pendingCookie(token, expiresAt, secure),
			clearedPendingCookie: () => clearedPendingCookie(secure)
		},
		twoFactor: only(s.auth.twoFactor, webMethods.twoFactor),
		engagements: only(s.engagements, webMethods.engagements),
		contracts: only(s.contracts, webMethods.contracts),
		sponsors: only(s.sponsors, webMethods.sponsors),
		referrals: only(s.referrals, webMethods.referrals),
		calendar: only(s.calendar, webMethods.calendar),
		proposals: only(s.proposals, webMethods.proposals),
		mail: only(s.mail, webMethods.mail),
		rhythm: only(s.rhythm, webMethods.rhythm),
		schemes: only(s.schemes, webMethods.schemes),
		feedback: only(s.feedback, webMethods.feedback),
		progress: only(s.progress, webMethods.progress),
		practice: only(s.practice, webMethods.practice),
		closing: only(s.closing, webMethods.closing),
		callPrivacy: only(s.callPrivacy, webMethods.callPrivacy),
		yourData: only(s.yourData, webMethods.yourData),
		summaries: {
			...only(s.summaries, webMethods.summaries),
			correct: (summaryId, userId, form) => s.summaries.correct(summaryId, userId, readCorrectionForm(form))
		}
	};
}
