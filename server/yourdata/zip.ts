/** The export as a zip (fflate: small, maintained, no native code), with a README saying what is in it. */
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ExportFile, TableGroup } from './registry.ts';

export function readme(name: string, at: number, groups: readonly TableGroup[]): string {
	return [
		`# Your data in Confidante`,
		'',
		`Exported for ${name} on ${new Date(at).toISOString()}.`,
		'',
		'JSON files hold the records; summaries and pads are Markdown; mail is as it was sent (.eml). Times are milliseconds since 1970 (UTC).',
		'Each engagement has a folder of its own.',
		'',
		'## What each part holds',
		'',
		...groups.map((g) => `- **${g.name}**: ${g.sees}`),
		''
	].join('\n');
}

export function zipFiles(files: readonly ExportFile[]): Uint8Array {
	const tree: Zippable = {};
	const used = new Set<string>();
	for (const f of files) {
		let name = f.path;
		for (let n = 2; used.has(name); n++) name = f.path.replace(/(\.\w+)?$/, `-${n}$1`);
		used.add(name);
		const bytes = f.json !== undefined ? strToU8(JSON.stringify(f.json, null, 2)) : typeof f.text === 'string' ? strToU8(f.text) : (f.text ?? new Uint8Array());
		tree[name] = [bytes, { level: 6 }];
	}
	return zipSync(tree);
}
