/**
 * Scoping's pure parts: the engagement's life as steps, what the answers
 * prefill in the contract, the forms' field messages, the decline template,
 * and when a scoping link can take answers (an injected clock, no waiting).
 */
import { describe, expect, it } from 'vitest';
import { draftFromTemplate, prefillDraft } from '../../shared/contract/index.ts';
import { contractPrefill, declineTemplate, engagementLife, proposalForm, readScopingFields, scopingAnswersForm, scopingFieldName, scopingQuestions, type ScopingAnswers } from '../../shared/scoping/index.ts';
import { linkState } from '../../server/proposals/links.ts';

const states = (steps: ReturnType<typeof engagementLife>) => Object.fromEntries(steps.map((s) => [s.key, s.state]));

describe('the engagement life', () => {
	it('starts at the contract when there was no proposal, and marks the first step not done as current', () => {
		const steps = engagementLife({ proposal: null, contract: { draftedAt: null, sentAt: null, inForceAt: null, version: null }, sessions: { held: 0, planned: 6, next: null } });
		expect(steps.map((s) => s.key)).toEqual(['drafted', 'sent', 'in_force', 'sessions']);
		expect(states(steps)).toEqual({ drafted: 'current', sent: 'todo', in_force: 'todo', sessions: 'todo' });
	});

	it('walks from proposal to sessions', () => {
		const facts = { proposal: { createdAt: 1, answeredAt: 2, decidedAt: 3 }, contract: { draftedAt: 4, sentAt: 5, inForceAt: 6, version: 2 }, sessions: { held: 2, planned: 6, next: 7 } };
		const steps = engagementLife(facts);
		expect(steps.map((s) => s.key)).toEqual(['proposal', 'answers', 'decision', 'drafted', 'sent', 'in_force', 'sessions']);
		expect(states(steps)).toMatchObject({ proposal: 'done', in_force: 'done', sessions: 'current' });
		expect(steps.find((s) => s.key === 'in_force')?.detail).toBe('version 2');
		expect(steps.find((s) => s.key === 'sessions')?.detail).toBe('2 of 6 held');
		expect(states(engagementLife({ ...facts, sessions: { held: 6, planned: 6, next: null } })).sessions).toBe('done');
		// Taken on without answers: the answers step is passed, marked as not answered.
		const skipped = engagementLife({ ...facts, proposal: { createdAt: 1, answeredAt: null, decidedAt: 3 } });
		expect(skipped.find((s) => s.key === 'answers')).toMatchObject({ state: 'done', detail: 'not answered' });
		expect(states(engagementLife({ ...facts, contract: { draftedAt: 4, sentAt: null, inForceAt: null, version: null } }))).toMatchObject({ drafted: 'done', sent: 'current', in_force: 'todo' });
	});
});

describe('scoping answers', () => {
	const answers: ScopingAnswers = {
		respondentName: 'Sam',
		respondentRole: 'coachee',
		answers: { forWhom: '', now: 'Quiet meetings', want: 'People speak up', automatic: 'A habit', whyNow: 'New team', measure: 'Half speak by June', expect: '', availability: '', pays: '' },
		own: [],
		sponsor: { name: 'Pat', organisation: 'Acme', email: 'pat@example.org', pays: 'no' }
	};

	it('prefill the first goal and the sponsor, and leave blanks to the template', () => {
		const draft = draftFromTemplate('coaching', { today: '2027-01-04', goals: 'From the engagement' });
		const filled = prefillDraft(draft, contractPrefill(answers, { name: '', email: '' }));
		expect(filled.goals[0]).toMatchObject({ statement: 'People speak up', measure: 'Half speak by June', whyItMatters: 'New team' });
		expect(filled.stakeholders.sponsor).toEqual({ name: 'Pat', organisation: 'Acme', email: 'pat@example.org', pays: false });
		expect(draft.goals[0]!.statement).toBe('From the engagement'); // not changed in place
		const noAnswers = prefillDraft(draft, contractPrefill(null, { name: 'Lee Sponsor', email: 'lee@example.org' }));
		expect(noAnswers.goals[0]!.statement).toBe('From the engagement');
		expect(noAnswers.stakeholders.sponsor).toMatchObject({ name: 'Lee Sponsor', email: 'lee@example.org', pays: false });
		expect(prefillDraft(draft, contractPrefill(null, { name: '', email: '' })).stakeholders.sponsor).toBeNull();
	});

	it('are read from the flat form, with messages under the names the form uses', () => {
		const schema = scopingAnswersForm(['When can we meet?']);
		const read = schema.safeParse(readScopingFields({ respondentName: 'Sam', respondentRole: 'coachee', 'q.now': 'x', 'q.want': '', 'q.automatic': 'y', sponsorEmail: 'nope' }, ['When can we meet?']));
		expect(read.success).toBe(false);
		const fields = read.success ? [] : read.error.issues.map((i) => scopingFieldName(i.path));
		expect(fields).toEqual(expect.arrayContaining(['q.want', 'sponsorEmail']));
		const ok = schema.safeParse(readScopingFields({ respondentName: 'Sam', respondentRole: 'sponsor', 'q.now': 'x', 'q.want': 'w', 'q.automatic': 'y', 'own.0': 'Tuesdays' }, ['When can we meet?']));
		expect(ok.success && ok.data.own).toEqual(['Tuesdays']);
	});

	it('use the mentoring words for mentoring', () => {
		expect(scopingQuestions('mentoring').find((q) => q.id === 'expect')?.question).toBe('What do you expect from the mentoring, and from your mentor?');
		expect(scopingQuestions('coaching').filter((q) => q.required).map((q) => q.id)).toEqual(['now', 'want', 'automatic']);
	});
});

describe('a proposal', () => {
	it('needs an address to send the link to, and a name with each address', () => {
		const base = { kind: 'coaching', title: 'Team lead', request: 'Help with a new team' };
		const none = proposalForm.safeParse(base);
		expect(none.success ? null : none.error.issues[0]).toMatchObject({ path: ['prospectEmail'] });
		const nameless = proposalForm.safeParse({ ...base, sponsorEmail: 'pat@example.org' });
		expect(nameless.success ? null : nameless.error.issues[0]).toMatchObject({ path: ['sponsorName'] });
		const ok = proposalForm.safeParse({ ...base, prospectName: 'Sam', prospectEmail: 'SAM@example.org', coachQuestions: 'One?\n\n Two? \n' });
		expect(ok.success && ok.data).toMatchObject({ prospectEmail: 'sam@example.org', coachQuestions: ['One?', 'Two?'] });
		expect(proposalForm.safeParse({ ...base, prospectName: 'Sam', prospectEmail: 'sam@example.org', coachQuestions: '1\n2\n3\n4\n5\n6' }).success).toBe(false);
	});

	it('is declined with a kind letter naming the person, the work and the coach', () => {
		const letter = declineTemplate('mentoring', { to: 'Sam', coachName: 'Casey Coach', title: 'Team lead' });
		expect(letter.startsWith('Dear Sam,')).toBe(true);
		expect(letter).toContain('mentoring for "Team lead"');
		expect(letter).toContain('another mentor');
		expect(letter.trim().endsWith('Casey Coach')).toBe(true);
	});

	it('has a link that takes answers only while open and unexpired; a decision shows even after expiry', () => {
		const link = { expires_at: 1_000 };
		expect(linkState(link, { status: 'open' }, 999)).toBe('open');
		expect(linkState(link, { status: 'open' }, 1_000)).toBe('expired');
		expect(linkState(link, { status: 'answered' }, 10)).toBe('answered');
		expect(linkState(link, { status: 'declined' }, 5_000)).toBe('declined');
		expect(linkState(link, { status: 'taken' }, 5_000)).toBe('taken');
	});
});
