/**
 * The hours log as CSV, in the columns of ICF's client coaching log. Quoting
 * is csv-stringify's; its `escape_formulas` prefixes a cell starting with
 * = + - @ (or a tab or carriage return) with a quote mark, so a spreadsheet
 * opening the file shows an engagement title or organisation such as
 * "=HYPERLINK(...)" as text instead of running it.
 */
import { stringify } from 'csv-stringify/sync';
import { HOURS_CSV_COLUMNS, type HoursLine } from '../../shared/practice/index.ts';

/** A client who has not agreed to be listed appears as their label only: no name, address or organisation. */
export function csvRow(l: HoursLine): string[] {
	const named = l.listedByName && l.name !== null;
	return [
		named ? l.name! : l.label,
		named ? (l.email ?? '') : '',
		l.group ? 'Group' : 'Individual',
		l.group ? String(l.coachees) : '',
		named ? l.organisation : '',
		l.startDate ?? '',
		l.endDate ?? '',
		(l.funding === 'paid' ? l.hours : 0).toFixed(2),
		(l.funding === 'pro_bono' ? l.hours : 0).toFixed(2)
	];
}

/** Every engagement with at least one session held, oldest first. */
export function hoursCsv(lines: HoursLine[]): string {
	const held = lines.filter((l) => l.sessions.length > 0).sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? ''));
	return stringify([[...HOURS_CSV_COLUMNS], ...held.map(csvRow)], { escape_formulas: true, record_delimiter: 'windows', bom: true });
}
