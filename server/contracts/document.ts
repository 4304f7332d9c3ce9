/**
 * A contract version as a document people keep: Markdown (the email's text
 * and an attachment) and PDF (the attachment people print or file). Both are
 * built from the same clauses, so they never disagree.
 */
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { SECTION_TITLES, STATUS_WORDS, clausesOf, type Clause, type ClauseSection } from '../../shared/contract/index.ts';
import type { ContractVersion } from './store.ts';

export interface ContractHeading {
	engagementTitle: string;
	kind: 'coaching' | 'mentoring';
	/** Names of the people whose acceptance it needs, with their acceptance when given. */
	parties: { name: string; acceptedAt: number | null; typedName: string | null }[];
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const SECTIONS = Object.keys(SECTION_TITLES) as ClauseSection[];

function bySection(v: ContractVersion): [ClauseSection, Clause[]][] {
	const clauses = clausesOf(v.body);
	return SECTIONS.map((s) => [s, clauses.filter((c) => c.section === s)]);
}

function acceptanceLines(h: ContractHeading): string[] {
	return h.parties.map((p) => (p.acceptedAt ? `${p.name}: accepted as "${p.typedName}" on ${utc(p.acceptedAt)}` : `${p.name}: not accepted yet`));
}

/** Keeps a person's text from becoming Markdown structure. */
export const plain = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, '\\$1');

export function contractMarkdown(v: ContractVersion, h: ContractHeading): string {
	const out = [`# ${plain(h.engagementTitle)}: ${h.kind} contract, version ${v.version}`, '', `Status: ${STATUS_WORDS[v.status]}`, ''];
	for (const [section, clauses] of bySection(v)) {
		out.push(`## ${SECTION_TITLES[section]}`, '');
		for (const c of clauses) out.push(`**${plain(c.label)}**`, '', plain(c.text), '');
	}
	out.push('## Acceptance', '', ...acceptanceLines(h).map((l) => `- ${plain(l)}`), '');
	return out.join('\n');
}

// A Unicode font when the machine has one (the closing report uses it too) (Debian's DejaVu comes with the
// browser packages); otherwise PDF's built-in Helvetica, which only knows
// Latin-1, so other characters are replaced rather than printed as garbage.
const UNICODE_FONT = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'] as const;

function fonts(doc: PDFKit.PDFDocument): { regular: string; bold: string; clean: (s: string) => string } {
	if (UNICODE_FONT.every((f) => fs.existsSync(f))) {
		doc.registerFont('body', UNICODE_FONT[0]);
		doc.registerFont('bold', UNICODE_FONT[1]);
		return { regular: 'body', bold: 'bold', clean: (s) => s };
	}
	return { regular: 'Helvetica', bold: 'Helvetica-Bold', clean: (s) => s.replace(/[^\n\x20-\x7e\xa0-\xff]/g, '?') };
}

/** A one-column A4 PDF drawn by `draw` with the fonts above; the contract and the closing report use it. */
export function renderPdf(title: string, draw: (doc: PDFKit.PDFDocument, f: ReturnType<typeof fonts>) => void): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Author: 'Confidante' } });
		const chunks: Buffer[] = [];
		doc.on('data', (c: Buffer) => chunks.push(c));
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
		draw(doc, fonts(doc));
		doc.end();
	});
}

export function contractPdf(v: ContractVersion, h: ContractHeading): Promise<Buffer> {
	return renderPdf(`${h.engagementTitle}: contract v${v.version}`, (doc, f) => {
		doc.font(f.bold).fontSize(16).text(f.clean(`${h.engagementTitle}: ${h.kind} contract, version ${v.version}`));
		doc.font(f.regular).fontSize(10).fillColor('#4d5a55').text(`Status: ${STATUS_WORDS[v.status]}`).fillColor('#1d2622').moveDown();
		for (const [section, clauses] of bySection(v)) {
			doc.font(f.bold).fontSize(13).text(SECTION_TITLES[section]).moveDown(0.3);
			for (const c of clauses) {
				doc.font(f.bold).fontSize(10).text(f.clean(c.label));
				doc.font(f.regular).fontSize(10).text(f.clean(c.text)).moveDown(0.4);
			}
			doc.moveDown(0.5);
		}
		doc.font(f.bold).fontSize(13).text('Acceptance').moveDown(0.3);
		for (const line of acceptanceLines(h)) doc.font(f.regular).fontSize(10).text(f.clean(line));
	});
}
