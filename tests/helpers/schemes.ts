/** A scheme and its people for tests: created, invited and joined through the app's own forms. */
import { expect } from 'vitest';
import { Visitor, uniqueEmail } from './http.ts';

export const SCHEME = {
	name: 'Women into leadership',
	purpose: 'Volunteer coaches for new and aspiring managers in the region.',
	kinds: 'both',
	areas: 'Leadership\nCareer change\nConfidence\nFinance',
	covers: 'Work topics',
	excludes: 'Therapy, legal advice',
	maxMonths: '6',
	expectedSessions: '6',
	frequency: 'monthly',
	sessionMinutes: '60'
};

/** Someone signed up (address confirmed), with the email they used. */
export async function person(base: string, name: string, who: string) {
	const v = new Visitor(base);
	const email = uniqueEmail(who);
	await v.signUp(name, email);
	return { v, email, name };
}

export async function schemeOf(coordinator: Visitor, name = SCHEME.name) {
	const r = await coordinator.action('/schemes/new', { ...SCHEME, name });
	expect(r.type, JSON.stringify(r)).toBe('redirect');
	return r.location!.split('/').pop()!;
}

/** Invites, joins and returns the volunteer's id (from where accepting sends them). */
export async function volunteer(coordinator: Visitor, schemeId: string, p: { v: Visitor; email: string; name: string }, role = 'volunteer') {
	const inv = await coordinator.action(`/schemes/${schemeId}?/invite`, { name: p.name, email: p.email, role });
	expect(inv.type, JSON.stringify(inv)).toBe('success');
	const path = new URL(inv.data.invited.url).pathname;
	const joined = await p.v.action(path);
	expect(joined.type, JSON.stringify(joined)).toBe('redirect');
	return { path, id: joined.location!.split('/').pop()! };
}

/** A request's form, filled in as a coachee would. */
export const ask = (over: Record<string, string> = {}): [string, string][] =>
	Object.entries({ kind: 'coaching', develop: 'Lead my new team of eight with confidence', whyNow: 'Promoted last month', success: 'The team trusts my decisions', clarity: 'clear', commitment: 'yes', languages: 'English', timeZone: 'Europe/Paris', ...over }).concat([['areas', 'Leadership']]);

export const requestIdIn = (html: string, schemeId: string) => [...html.matchAll(new RegExp(`/schemes/${schemeId}/requests/([a-z2-7]+)`, 'g'))].map((m) => m[1]!);

/** A volunteer's profile form, with one place by default. */
export const profile = (over: Record<string, string | string[]> = {}): [string, string][] => {
	const fields: Record<string, string | string[]> = { kinds: 'both', areas: ['Leadership'], freeWords: '', experience: 'Twelve years coaching managers', qualifications: 'ICF ACC', languages: 'English', timeZone: 'Europe/London', capacity: '1', availability: 'Weekday mornings', ...over };
	return Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
};
