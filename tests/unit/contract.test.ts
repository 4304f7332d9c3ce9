import { describe, expect, it } from 'vitest';
import {
	KEY_CLAUSE_IDS,
	acceptanceForm,
	clausesOf,
	contractBody,
	contractProblems,
	contractTemplate,
	diffContracts,
	draftFromTemplate,
	mayAccept,
	missingSmartParts,
	sameName,
	statusAfter,
	type ContractBody
} from '../../shared/contract/index.ts';

function written(): ContractBody {
	const d = draftFromTemplate('coaching', { today: '2027-01-04', sessions: 6, frequency: 'monthly' });
	d.goals[0] = { id: 'goal-1', statement: 'Lead the weekly team meeting', measure: 'Team rates the meeting 4/5 or better', whyItMatters: 'New role from March', targetDate: '2027-05-31' };
	return contractBody.parse(d);
}

const problemsOf = (body: unknown) => {
	const r = contractBody.safeParse(body);
	return r.success ? {} : contractProblems(r.error);
};

describe('contract body', () => {
	it('the template validates at load and a first draft lacks only the goal', () => {
		expect(contractTemplate.version).toBe(1);
		const draft = draftFromTemplate('mentoring', { today: '2027-01-04' });
		expect(draft.boundaries.notTherapy).toMatch(/not therapy/);
		expect(Object.keys(problemsOf(draft)).sort()).toEqual(['goals.0.measure', 'goals.0.statement', 'goals.0.whyItMatters']);
		expect(missingSmartParts(draft.goals[0]!)).toEqual(['specific: what the goal is', 'measurable: how you will know', 'relevant: why it matters']);
	});

	it('names the missing part of a goal, an end before the start and zero sessions', () => {
		const b = written();
		const bad = { ...b, goals: [{ ...b.goals[0]!, measure: '  ' }], plan: { ...b.plan, sessions: 0, endDate: '2026-12-01' } };
		const p = problemsOf(bad);
		expect(p['goals.0.measure']).toBe('Write how you will measure it (measurable).');
		expect(p['plan.sessions']).toBe('Plan at least 1 session.');
		// The end-date rule runs once the fields themselves are valid.
		const p2 = problemsOf({ ...b, plan: { ...b.plan, endDate: '2026-12-01' } });
		expect(p2['plan.endDate']).toBe('The end date must not be before the start date.');
		expect(problemsOf({ ...b, goals: [] })['goals']).toBe('Add at least one goal.');
		expect(problemsOf({ ...b, plan: { ...b.plan, startDate: '2027-02-30' } })['plan.startDate']).toMatch(/exists on the calendar/);
	});

	it('accepts a fully written contract', () => {
		expect(problemsOf(written())).toEqual({});
	});
});

describe('clauses and diff', () => {
	it('lists every clause with a label, goals matched by id', () => {
		const keys = clausesOf(written()).map((c) => c.key);
		expect(keys).toContain('goals.goal-1.measure');
		expect(keys).toContain('boundaries.notTherapy');
		expect(keys).toContain('confidentiality.sponsorSees');
		expect(keys).toContain('plan.noticeHours');
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('shows a reworded goal as changed, a new goal as added and a dropped one as removed', () => {
		const v1 = written();
		const v2 = structuredClone(v1);
		v2.goals[0]!.measure = 'Team rates the meeting 4.5/5';
		v2.goals.push({ id: 'goal-2', statement: 'Delegate the budget report', measure: 'Done by someone else twice', whyItMatters: 'Frees a day a month', targetDate: '2027-04-30' });
		v2.plan.sessions = 8;
		const changes = diffContracts(v1, v2);
		expect(changes).toContainEqual(expect.objectContaining({ kind: 'changed', key: 'goals.goal-1.measure', before: 'Team rates the meeting 4/5 or better', after: 'Team rates the meeting 4.5/5' }));
		expect(changes).toContainEqual(expect.objectContaining({ kind: 'added', key: 'goals.goal-2.statement', label: 'Goal 2: the goal' }));
		expect(changes).toContainEqual(expect.objectContaining({ kind: 'changed', key: 'plan.sessions', before: '6', after: '8' }));
		const back = diffContracts(v2, v1);
		expect(back).toContainEqual(expect.objectContaining({ kind: 'removed', key: 'goals.goal-2.statement' }));
		expect(diffContracts(v1, structuredClone(v1))).toEqual([]);
	});
});

describe('acceptance rules', () => {
	const sent = { status: 'sent' as const, required: ['coach', 'sam'], accepted: [] as string[] };

	it('needs the typed name and every key clause', () => {
		expect(acceptanceForm.safeParse({ typedName: 'Sam Coachee', ticked: KEY_CLAUSE_IDS }).success).toBe(true);
		const r = acceptanceForm.safeParse({ typedName: 'Sam Coachee', ticked: ['goals'] });
		expect(r.success).toBe(false);
		expect(acceptanceForm.safeParse({ typedName: ' ', ticked: KEY_CLAUSE_IDS }).success).toBe(false);
		expect(sameName('  sam   coachee ', 'Sam Coachee')).toBe(true);
		expect(sameName('Sam', 'Sam Coachee')).toBe(false);
	});

	it('refuses a draft, a superseded version, the wrong person, twice, and a wrong name', () => {
		const code = (r: ReturnType<typeof mayAccept>) => (r.ok ? 'ok' : r.error.code);
		expect(code(mayAccept({ ...sent, status: 'draft' }, 'sam', 'Sam', 'Sam'))).toBe('conflict');
		expect(code(mayAccept({ ...sent, status: 'superseded' }, 'sam', 'Sam', 'Sam'))).toBe('gone');
		expect(code(mayAccept(sent, 'stranger', 'X', 'X'))).toBe('forbidden');
		expect(code(mayAccept({ ...sent, accepted: ['sam'] }, 'sam', 'Sam', 'Sam'))).toBe('conflict');
		expect(code(mayAccept(sent, 'sam', 'Someone Else', 'Sam Coachee'))).toBe('invalid_input');
		expect(code(mayAccept(sent, 'sam', 'sam coachee', 'Sam Coachee'))).toBe('ok');
	});

	it('is in force only once everyone required has accepted', () => {
		expect(statusAfter(sent, 'sam')).toBe('sent');
		expect(statusAfter({ ...sent, accepted: ['sam'] }, 'coach')).toBe('in_force');
	});
});
