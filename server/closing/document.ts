/**
 * The report as a document people keep: Markdown (the email's text and a
 * download) and PDF (to print or file). Both are written from one list of
 * sections (shared/closing/sections.ts), which the web page shows too.
 */
import { plain, renderPdf } from '../contracts/document.ts';
import type { EngagementReport } from '../../shared/closing/index.ts';
import { reportSections, reportTitle } from '../../shared/closing/sections.ts';

export { reportTitle } from '../../shared/closing/sections.ts';

export function reportMarkdown(r: EngagementReport): string {
	const out = [`# ${plain(reportTitle(r))}`, ''];
	for (const s of reportSections(r)) {
		out.push(`## ${s.title}`, '');
		if (s.items.length === 0) out.push(s.empty, '');
		for (const i of s.items) {
			const [first = '', ...more] = i.text.split('\n');
			out.push(`- ${i.lead ? `**${plain(i.lead)}**: ` : ''}${plain(first)}`, ...more.map((l) => `  - ${plain(l)}`));
		}
		if (s.items.length) out.push('');
	}
	return out.join('\n');
}

export function reportFileName(r: EngagementReport, ext: 'md' | 'pdf'): string {
	const slug = r.engagement.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'engagement';
	return `${slug}-report.${ext}`;
}

export function reportPdf(r: EngagementReport): Promise<Buffer> {
	return renderPdf(reportTitle(r), (doc, f) => {
		// A heading or an item's lead never sits alone at the foot of a page.
		const keepWithNext = (points: number) => {
			if (doc.y > doc.page.height - doc.page.margins.bottom - points) doc.addPage();
		};
		doc.font(f.bold).fontSize(16).fillColor('#1d2622').text(f.clean(reportTitle(r))).moveDown();
		for (const s of reportSections(r)) {
			keepWithNext(60);
			doc.font(f.bold).fontSize(13).text(f.clean(s.title)).moveDown(0.3);
			if (s.items.length === 0) doc.font(f.regular).fontSize(10).fillColor('#4d5a55').text(f.clean(s.empty)).fillColor('#1d2622');
			for (const i of s.items) {
				keepWithNext(36);
				if (i.lead) doc.font(f.bold).fontSize(10).text(f.clean(i.lead));
				doc.font(f.regular).fontSize(10).text(f.clean(i.text)).moveDown(0.3);
			}
			doc.moveDown(0.6);
		}
	});
}
