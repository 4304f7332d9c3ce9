/** The shared words: role names per engagement kind, and pad close codes by name. */
import { expect, it } from 'vitest';
import { ROLES, ENGAGEMENT_KINDS, roleWord } from '../../shared/domain.ts';
import { CloseCode, closeCodeName } from '../../shared/pad/index.ts';
import { CloseCode as ServerCloseCode } from '../../server/pad/index.ts';

it('names each role in coaching and mentoring words', () => {
	const words = ENGAGEMENT_KINDS.flatMap((kind) => ROLES.map((role) => roleWord(role, kind)));
	expect(words).toEqual(['coach', 'coachee', 'mentor', 'mentee']);
	expect(roleWord('coachee', 'mentoring', { plural: true })).toBe('mentees');
	expect(roleWord('coach', 'coaching', { capitalised: true })).toBe('Coach');
	expect(roleWord('coach', 'mentoring', { plural: true, capitalised: true })).toBe('Mentors');
});

it('maps every pad close code back to its name, and nothing else', () => {
	for (const [name, code] of Object.entries(CloseCode)) expect(closeCodeName(code)).toBe(name);
	expect(closeCodeName(4401)).toBe('unauthenticated');
	expect(closeCodeName(1000)).toBeUndefined();
	expect(closeCodeName(4999)).toBeUndefined();
	// The server closes with the very same table.
	expect(ServerCloseCode).toBe(CloseCode);
});
