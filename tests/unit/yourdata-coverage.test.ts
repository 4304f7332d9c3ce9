/**
 * Every table in server/store/schema*.ts is exported by a group or listed as
 * left out with a reason, and the same for erasure: a feature that adds a
 * table without saying how it is exported and erased fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUPS, NOT_ERASED, NOT_EXPORTED } from '../../server/yourdata/index.ts';
import { scrub } from '../../server/yourdata/registry.ts';

const storeDir = path.resolve(import.meta.dirname, '..', '..', 'server', 'store');

/** Table names from each `interface Database { ... }` in the schema files. */
function schemaTables(): string[] {
	const tables = new Set<string>();
	for (const f of fs.readdirSync(storeDir).filter((n) => /^schema.*\.ts$/.test(n))) {
		const src = fs.readFileSync(path.join(storeDir, f), 'utf8');
		for (const block of src.matchAll(/interface Database(?:\s+extends[^{]+)?\s*\{([\s\S]*?)\n\}/g)) {
			for (const m of block[1]!.matchAll(/^\t(\w+)\??:/gm)) tables.add(m[1]!);
		}
	}
	return [...tables].sort();
}

describe('export and erasure cover every table', () => {
	const tables = schemaTables();

	it('finds the tables', () => {
		expect(tables.length).toBeGreaterThan(30);
		expect(tables).toContain('users');
		expect(tables).toContain('engagement_erasures');
	});

	it('exports each table or says why not', () => {
		const exported = new Set(GROUPS.flatMap((g) => g.exports));
		const missing = tables.filter((t) => !exported.has(t as never) && !(t in NOT_EXPORTED));
		expect(missing, 'tables neither exported by a group in server/yourdata/groups nor in NOT_EXPORTED with a reason').toEqual([]);
	});

	it('erases each table or says why not', () => {
		const erased = new Set(GROUPS.flatMap((g) => g.erases));
		const missing = tables.filter((t) => !erased.has(t as never) && !(t in NOT_ERASED));
		expect(missing, 'tables neither erased by a group in server/yourdata/groups nor in NOT_ERASED with a reason').toEqual([]);
	});

	it('lists only real tables, none both handled and left out, each with a reason', () => {
		for (const [list, handled] of [[NOT_EXPORTED, GROUPS.flatMap((g) => g.exports)], [NOT_ERASED, GROUPS.flatMap((g) => g.erases)]] as const) {
			for (const [t, why] of Object.entries(list)) {
				expect(tables, `${t} is listed but is not a table`).toContain(t);
				expect(handled, `${t} is both handled and left out`).not.toContain(t);
				expect((why ?? '').length).toBeGreaterThan(15);
			}
		}
		for (const g of GROUPS) for (const t of [...g.exports, ...g.erases]) expect(tables, `${g.name} names ${t}`).toContain(t);
	});

	it('scrubs a name from text and from JSON', () => {
		expect(scrub('Sam said hi to Sam', ['Sam'])).toBe('A former participant said hi to A former participant');
		expect(scrub(JSON.stringify({ a: 'Jo "JJ" Smith' }), ['Jo "JJ" Smith'])).toBe('{"a":"A former participant"}');
		expect(scrub('x', ['a'])).toBe('x');
	});
});
