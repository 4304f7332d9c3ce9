/**
 * The coach's practice, its pure parts: which sessions the log counts and
 * how long they lasted, stable labels, the CSV (columns, anonymised rows,
 * formula injection) read back with a CSV parser, redaction of supervision
 * notes, and the contract's consent clause.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { heldSessions, hoursLine, hoursLog, labelsOf, dayIn, type CoachedEngagement } from '../../server/practice/hours.ts';
import { hoursCsv } from '../../server/practice/csv.ts';
import { redact } from '../../server/practice/redact.ts';
import { HOURS_CSV_COLUMNS, durationWords } from '../../shared/practice/index.ts';
import { clausesOf, contractBody, contractFormFields, contractFromForm, draftFromTemplate, KEY_CLAUSE_IDS } from '../../shared/contract/index.ts';
import type { CoachingSessionRow } from '../../server/store/index.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T09:00:00Z');

const session = (over: Partial<CoachingSessionRow>): CoachingSessionRow => ({
	id: Math.random().toString(36).slice(2),
	engagement_id: 'e1',
	kind: 'session',
	number: 1,
	scheduled_at: T0,
	duration_minutes: 60,
	status: 'ended',
	started_at: T0,
	ended_at: T0 + H,
	created_at: T0 - H,
	sequence: 0,
	changed_by: null,
	change_reason: null,
	changed_at: null,
	late_change: 0,
	...over
});

const engagement = (id: string, createdAt: number, coachees: string[] = ['Sam Coachee']): CoachedEngagement => ({
	id,
	title: `Engagement ${id}`,
	createdAt,
	coachees: coachees.map((name, i) => ({ userId: `${id}-u${i}`, name, email: `${name.split(' ')[0]!.toLowerCase()}@example.org` }))
});

const line = (e: CoachedEngagement, rows: CoachingSessionRow[], opts: { listed?: boolean; funding?: 'paid' | 'pro_bono'; organisation?: string; label?: string } = {}) =>
	hoursLine({
		engagement: e,
		label: opts.label ?? 'Client 1',
		setting: opts.funding ? { engagement_id: e.id, coach_id: 'c', funding: opts.funding, organisation: opts.organisation ?? '', updated_at: 0 } : undefined,
		sessions: heldSessions(rows),
		listedByName: opts.listed ?? false,
		timeZone: 'Europe/London'
	});

describe('hours from sessions held', () => {
	it('counts ended coaching sessions from start to end, never the plan, and leaves out other meetings', () => {
		const rows = [
			session({ number: 1, started_at: T0, ended_at: T0 + 50 * 60_000, duration_minutes: 90 }),
			session({ number: 2, started_at: T0 + 7 * 24 * H, ended_at: T0 + 7 * 24 * H + 70 * 60_000 }),
			session({ number: 3, status: 'scheduled', started_at: null, ended_at: null }),
			session({ number: 4, status: 'live', ended_at: null }),
			session({ number: 0, kind: 'introductory' }),
			session({ number: 0, kind: 'three_way' }),
			session({ number: 5, status: 'cancelled', started_at: null, ended_at: null })
		];
		const held = heldSessions(rows);
		expect(held.map((s) => s.number)).toEqual([1, 2]);
		expect(held.map((s) => s.durationMs)).toEqual([50 * 60_000, 70 * 60_000]);
		expect(held.map((s) => durationWords(s.durationMs))).toEqual(['50 min', '1 h 10 min']);
		expect(durationWords(20_400)).toBe('20 s');
		const l = line(engagement('e1', 1), rows);
		expect(l.hours).toBe(2);
		expect([l.startDate, l.endDate]).toEqual(['2026-11-02', '2026-11-09']);
		expect(l.funding).toBe('paid');
		expect(l.fundingAssumed).toBe(true);
	});

	it('counts a session that ended by itself until its room emptied, never less than nothing', () => {
		const selfEnded = session({ id: 'auto', started_at: T0, ended_at: T0 + 40 * 60_000 });
		const brief = session({ id: 'brief', number: 2, started_at: T0 + H, ended_at: T0 + H + 5 * 60_000 });
		const held = heldSessions([selfEnded, brief, session({ id: 'ended', number: 3, started_at: T0 + 2 * H, ended_at: T0 + 3 * H })], new Set(['auto', 'brief']), 15 * 60_000);
		expect(held.map((s) => s.durationMs)).toEqual([25 * 60_000, 0, H]);
	});

	it('gives dates on the coach’s calendar', () => {
		expect(dayIn(Date.parse('2026-11-02T23:30:00Z'), 'Europe/London')).toBe('2026-11-02');
		expect(dayIn(Date.parse('2026-11-02T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-03');
	});

	it('labels clients by the order their engagements began, so a new one never renumbers the others', () => {
		const a = engagement('a', 300);
		const b = engagement('b', 100);
		const before = labelsOf([a, b]);
		expect(before.get('b')).toBe('Client 1');
		expect(before.get('a')).toBe('Client 2');
		const after = labelsOf([engagement('c', 500), a, b]);
		expect([after.get('b'), after.get('a'), after.get('c')]).toEqual(['Client 1', 'Client 2', 'Client 3']);
	});

	it('totals paid and pro bono hours from exact durations', () => {
		const thirds = [1, 2, 3].map((n) => session({ number: n, started_at: T0 + n * 24 * H, ended_at: T0 + n * 24 * H + 20 * 60_000 }));
		const paid = line(engagement('p', 1), thirds, { funding: 'paid' });
		const free = line(engagement('f', 2), [session({})], { funding: 'pro_bono' });
		const log = hoursLog([paid, free], 'UTC');
		expect(paid.hours).toBe(1);
		expect(log.paidHours).toBe(1);
		expect(log.proBonoHours).toBe(1);
	});
});

describe('the CSV', () => {
	const parseCsv = (text: string) => parse(text, { bom: true }) as string[][];

	it('has ICF’s columns, names only clients who agreed, and shows the others by label with no address or organisation', () => {
		const named = line(engagement('n', 1, ['Sam Coachee']), [session({})], { listed: true, funding: 'paid', organisation: 'Northwind Ltd', label: 'Client 1' });
		const hidden = line(engagement('h', 2, ['Robin Quiet']), [session({ started_at: T0 + 24 * H, ended_at: T0 + 24 * H + 90 * 60_000 })], { funding: 'pro_bono', organisation: 'Secret Org', label: 'Client 2' });
		const group = line(engagement('g', 3, ['Ada One', 'Ben Two', 'Cy Three']), [session({ started_at: T0 + 48 * H, ended_at: T0 + 48 * H + 30 * 60_000 })], { listed: true, label: 'Client 3' });
		const none = line(engagement('z', 4), [], { label: 'Client 4' });
		const text = hoursCsv([named, hidden, group, none]);
		const rows = parseCsv(text);
		expect(rows[0]).toEqual([...HOURS_CSV_COLUMNS]);
		expect(rows.slice(1)).toEqual([
			['Sam Coachee', 'sam@example.org', 'Individual', '', 'Northwind Ltd', '2026-11-02', '2026-11-02', '1.00', '0.00'],
			['Client 2', '', 'Individual', '', '', '2026-11-03', '2026-11-03', '0.00', '1.50'],
			['Ada One', 'ada@example.org', 'Group', '3', '', '2026-11-04', '2026-11-04', '0.50', '0.00']
		]);
		expect(text).not.toContain('Robin');
		expect(text).not.toContain('robin@');
		expect(text).not.toContain('Secret Org');
	});

	it('quotes commas, quotes and line breaks, and defuses cells that a spreadsheet would run as formulas', () => {
		const hostile = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+cmd', '@SUM(A1)', 'Smith, "Jo"\nLine two'];
		const lines = hostile.map((name, i) => line(engagement(`x${i}`, i, [name]), [session({})], { listed: true, funding: 'paid', organisation: name, label: `Client ${i + 1}` }));
		const rows = parseCsv(hoursCsv(lines)).slice(1);
		for (const [i, name] of hostile.entries()) {
			const cells = rows[i]!;
			if (/^[=+\-@]/.test(name)) {
				expect(cells[0]).toBe(`'${name}`);
				expect(cells[4]).toBe(`'${name}`);
			} else {
				expect(cells[0]).toBe(name);
			}
		}
		for (const r of rows) for (const c of r) expect(c).not.toMatch(/^[=+\-@]/);
	});
});

describe('redacting supervision notes', () => {
	const people = [
		{ label: 'Client 3', names: ['Samantha-Jo Ríos'], emails: ['sam.rios@northwind.example'], phrases: [] },
		{ label: 'Client 3’s organisation', names: [], emails: [], phrases: ['Northwind Traders'] },
		{ label: 'Client 3’s sponsor', names: ['Pat Sponsor'], emails: ['pat@northwind.example'], phrases: [] }
	];

	it('replaces names (whole and in parts, any case), addresses, the organisation and the sponsor, and leaves other words', () => {
		const note = 'Samantha-Jo Ríos (sam.rios@northwind.example) at Northwind Traders said RÍOS felt stuck; samantha-jo\'s sponsor Pat (pat@northwind.example) wants more. Patience, Samanthas.';
		const out = redact(note, people);
		for (const s of ['Samantha-Jo', 'Ríos', 'RÍOS', 'sam.rios', 'Northwind', 'Pat ', 'pat@']) expect(out).not.toContain(s);
		expect(out).toBe(
			'Client 3 (Client 3 (email withheld)) at Client 3’s organisation said Client 3 felt stuck; Client 3\'s Client 3’s sponsor Client 3’s sponsor (Client 3’s sponsor (email withheld)) wants more. Patience, Samanthas.'
		);
		// Whole words only: "Patience" and "Samanthas" are other words; the labels put in are not matched again, though "Sponsor" is a surname here (so the word "sponsor" in the note goes too: too much hidden is the safe side).
	});

	it('matches names however their accents are composed', () => {
		const decomposed = 'Ri\u0301os came late.';
		expect(redact(decomposed, people)).toBe('Client 3 came late.');
	});
});

describe('consent to be listed, in the contract', () => {
	it('is off in a first draft and in contracts stored before it existed, round-trips through the form, and is a clause to accept', () => {
		const d = draftFromTemplate('coaching', { today: '2027-01-04', sessions: 6, frequency: 'monthly' });
		expect(d.coachingLog).toEqual({ listByName: false });
		d.goals[0] = { id: 'goal-1', statement: 'Lead the weekly team meeting', measure: 'Team rates it 4/5', whyItMatters: 'New role', targetDate: '2027-05-31' };
		const { coachingLog: _old, ...before } = d;
		expect(contractBody.parse(before).coachingLog).toEqual({ listByName: false });
		const fields = contractFormFields({ ...d, coachingLog: { listByName: true } });
		expect(fields['coachingLog.listByName']).toBe('on');
		expect(contractBody.parse(contractFromForm(fields)).coachingLog).toEqual({ listByName: true });
		const clause = (b: typeof d) => clausesOf(b).find((c) => c.key === 'coachingLog.listByName')!;
		expect(clause(d).text).toContain('never your name or email address');
		expect(clause({ ...d, coachingLog: { listByName: true } }).text).toContain('may list you by name');
		expect(KEY_CLAUSE_IDS).toContain('coachingLog');
	});
});
